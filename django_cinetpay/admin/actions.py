"""Actions staff take on a record: a button on its page, and the same action on rows selected in its list.

An :class:`ObjectAction` says once what an action is: its label and explanation, the permission it needs,
when the record's state offers it, the form it asks for (a note for the audit trail, by default) and the
service call it makes. :class:`ObjectActionsMixin` turns each into

* a button on the record's page, shown only to staff holding the permission and only when the state
  offers it, leading to a page that explains the action and asks for its form;
* a URL (``admin:<app>_<model>_<name>``) that refuses staff without the permission (403, nothing
  changed), calls the service, and reports success or the reason for failure in the staff member's
  language (:mod:`.feedback`);
* unless ``bulk=False``, an admin action on the selected rows of the list, asking for the note once.

No state changes here: every action calls :mod:`django_cinetpay.services`, which checks the permission
again, locks the rows, follows the transition tables and writes the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext

from .. import exceptions
from ..exceptions import status_label
from ..formatting import money
from ..forms import NoteForm
from .feedback import ActionFailed, staff_message

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

#: What a refused action may raise: a service's refusal, CinetPay's, a refused permission, or the action's
#: own account of a failure.
REFUSALS = (exceptions.CinetPayError, PermissionDenied, ValueError, ActionFailed)


def note_form(obj: Any, data: QueryDict | None) -> forms.Form:
    """The default form of an action: a note, required, kept in the audit trail."""
    return NoteForm(data)


def _always(obj: Any) -> bool:
    return True


@dataclass(frozen=True)
class ObjectAction:
    """One thing staff do to a record, through a service.

    ``run(obj, user, cleaned_data)`` calls the service and returns the success message (translated); it
    raises a service's exception, or :class:`~.feedback.ActionFailed`, when the action did not happen.
    ``form(obj, data)`` builds the form the action asks for (``None``: a confirmation only).
    """

    name: str
    label: StrOrPromise
    explanation: StrOrPromise
    permission: str
    run: Callable[[Any, Any, dict[str, Any]], str]
    available: Callable[[Any], bool] = _always
    form: Callable[[Any, QueryDict | None], forms.Form] | None = note_form
    bulk: bool = True

    def allowed(self, request: HttpRequest) -> bool:
        return request.user.has_perm(self.permission)


class ObjectActionsMixin(admin.ModelAdmin):
    """Buttons on a record's page and list actions from :attr:`object_actions` (see the module)."""

    object_actions: tuple[ObjectAction, ...] = ()
    change_form_template = "admin/cinetpay/change_form.html"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actions = [*(self.actions or ()), *(bulk_action(a) for a in self.object_actions if a.bulk)]

    def get_actions(self, request: HttpRequest, action_location: Any = None) -> dict[str, Any]:
        """The list's actions this staff member may use: never a delete, never one without its permission.

        ``action_location``: Django 6.1's argument, passed on when Django gives it.
        """
        extra = () if action_location is None else (action_location,)
        actions = super().get_actions(request, *extra)
        actions.pop("delete_selected", None)
        for action in self.object_actions:
            if action.bulk and not action.allowed(request):
                actions.pop(action.name, None)
        return actions

    def get_urls(self) -> list[URLPattern]:
        info = self.opts.app_label, self.opts.model_name
        own = [
            path(
                f"<path:object_id>/{action.name}/",
                self.admin_site.admin_view(self._view_for(action)),
                name="{}_{}_{}".format(*info, action.name),
            )
            for action in self.object_actions
        ]
        return [*own, *super().get_urls()]

    def _view_for(self, action: ObjectAction) -> Callable[..., HttpResponse]:
        def view(request: HttpRequest, object_id: str) -> HttpResponse:
            return self.object_action_view(request, object_id, action)

        return view

    def action_url(self, obj: Any, action: ObjectAction) -> str:
        opts = self.opts
        return reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_{action.name}",
            args=[quote(obj.pk)],
            current_app=self.admin_site.name,
        )

    def change_url(self, obj: Any) -> str:
        opts = self.opts
        return reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
            args=[quote(obj.pk)],
            current_app=self.admin_site.name,
        )

    def buttons(self, request: HttpRequest, obj: Any) -> list[tuple[str, StrOrPromise]]:
        """``(url, label)`` of each action this staff member may take on ``obj`` as it stands."""
        return [
            (self.action_url(obj, action), action.label)
            for action in self.object_actions
            if action.allowed(request) and action.available(obj)
        ]

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> HttpResponse:
        context["object_actions"] = self.buttons(request, obj) if obj is not None else []
        return super().render_change_form(request, context, add, change, form_url, obj)

    def object_action_view(self, request: HttpRequest, object_id: str, action: ObjectAction) -> HttpResponse:
        """GET: what the action does, and its form. POST: the service call, then back to the record."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not (self.has_view_permission(request, obj) and action.allowed(request)):
            raise PermissionDenied
        back = HttpResponseRedirect(self.change_url(obj))
        if not action.available(obj):
            self.message_user(request, unavailable_message(action, obj), messages.ERROR)
            return back
        posted = request.method == "POST"
        form = action.form(obj, request.POST if posted else None) if action.form else None
        if posted and (form is None or form.is_valid()):
            try:
                done = action.run(obj, request.user, form.cleaned_data if form else {})
            except exceptions.InvalidInputError as exc:
                if form is None:
                    self.message_user(request, staff_message(exc, obj), messages.ERROR)
                    return back
                form.add_error(None, staff_message(exc, obj))
            except REFUSALS as exc:
                self.message_user(request, staff_message(exc, obj), messages.ERROR)
                return back
            else:
                self.message_user(request, done, messages.SUCCESS)
                return back
        context = {
            **self.admin_site.each_context(request),
            "title": action.label,
            "explanation": action.explanation,
            "opts": self.opts,
            "original": obj,
            "amount": money(obj.amount, obj.currency) if hasattr(obj, "amount") else "",
            "form": form,
            "change_url": self.change_url(obj),
        }
        return TemplateResponse(request, "admin/cinetpay/object_action.html", context)


def unavailable_message(action: ObjectAction, obj: Any) -> str:
    """Why ``action`` is not offered for ``obj`` now (its state does not allow it)."""
    names = {"action": action.label, "status": status_label(obj, getattr(obj, "status", ""))}
    return gettext("“%(action)s” is not possible while the status is “%(status)s”.") % names


def bulk_action(action: ObjectAction) -> Callable[..., HttpResponse | None]:
    """``action`` as an admin action on the selected rows: the note is asked once, then each row is acted
    on separately, and each outcome is reported."""

    def run_on_selection(
        modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any]
    ) -> HttpResponse | None:
        if not action.allowed(request):  # get_actions hides it; a forged POST changes nothing either
            raise PermissionDenied
        form = action.form(None, request.POST if "apply" in request.POST else None) if action.form else None
        if form is not None and not form.is_valid():
            context = {
                **modeladmin.admin_site.each_context(request),
                "title": action.label,
                "explanation": action.explanation,
                "queryset": queryset,
                "opts": modeladmin.model._meta,
                "action": action.name,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "form": form,
            }
            return TemplateResponse(request, "admin/cinetpay/note_action.html", context)
        data = form.cleaned_data if form is not None else {}
        for obj in queryset:
            modeladmin.message_user(request, *_outcome(action, obj, request.user, data))
        return None

    run_on_selection.__name__ = action.name
    run_on_selection.short_description = action.label  # type: ignore[attr-defined]
    return run_on_selection


def _outcome(action: ObjectAction, obj: Any, user: Any, data: dict[str, Any]) -> tuple[str, int]:
    """The message and its level for ``action`` on one selected ``obj``."""
    if not action.available(obj):
        message, level = unavailable_message(action, obj), messages.ERROR
    else:
        try:
            message, level = action.run(obj, user, data), messages.SUCCESS
        except REFUSALS as exc:
            message, level = staff_message(exc, obj), messages.ERROR
    return gettext("%(object)s: %(message)s") % {"object": obj, "message": message}, level
