"""French first: the site's language is French unless the visitor picked another with the switch."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class SiteLanguageMiddleware(LocaleMiddleware):
    """``LocaleMiddleware`` without the browser's ``Accept-Language``: the language cookie set by
    ``set_language`` (the header's FR/EN switch), else ``LANGUAGE_CODE``.

    The marketplace serves French-speaking West Africa, where many phones and computers are set to
    English; following the browser would show most visitors the wrong language.
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
