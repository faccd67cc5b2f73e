"""Template filters: ``{% load cinetpay %}`` then ``{{ payment.amount|money:payment.currency }}`` and
``{{ payment.payment_method|payment_method_name }}`` (see :mod:`django_cinetpay.formatting`)."""

from __future__ import annotations

from django import template

from .. import formatting

register = template.Library()
register.filter("money", formatting.money)
register.filter("payment_method_name", formatting.payment_method_name)
