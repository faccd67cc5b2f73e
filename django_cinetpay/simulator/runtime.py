"""Running the engine inside the simulator app: state in the database, notifications over HTTP."""

from __future__ import annotations

import logging

import requests
from django.http import HttpRequest
from django.urls import reverse

from django_cinetpay.client.http import new_session

from .conf import options_from_settings, settings
from .engine import Credentials, Delivery, Outbound, Simulator
from .storage import DjangoStore

logger = logging.getLogger("django_cinetpay.simulator")


def deliver_over_http(outbound: Outbound) -> Delivery:
    """POST a notification (a form, or the OAuth API's JSON) to the merchant's notify_url, as CinetPay's
    servers do."""
    session = new_session()
    session.headers["User-Agent"] = "CinetPay-Simulator"
    try:
        response = session.post(
            outbound.url,
            data=outbound.json_body.encode() if outbound.json_body else list(outbound.fields),
            headers={**dict(outbound.headers), "Content-Type": outbound.content_type},
            timeout=float(settings.CINETPAY_SIMULATOR_NOTIFY_TIMEOUT),
        )
    except requests.RequestException as exc:
        logger.warning("Simulated notification to %s failed: %s", outbound.url, type(exc).__name__)
        return Delivery(None, f"{type(exc).__name__}: {exc}")
    finally:
        session.close()
    logger.info("Simulated notification to %s answered %s", outbound.url, response.status_code)
    return Delivery(response.status_code, response.text[:200])


def build_simulator(request: HttpRequest) -> Simulator:
    """An engine for this request: the project's credentials, the database, checkout pages on this host."""
    return Simulator(
        DjangoStore(),
        Credentials.from_settings(),
        payment_url=lambda token: request.build_absolute_uri(
            reverse("cinetpay_simulator:checkout", args=[token])
        ),
        deliver=deliver_over_http,
        options=options_from_settings(),
    )
