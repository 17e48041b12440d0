"""Simplified Chinese unless the visitor chose otherwise; the API follows Accept-Language.

Django's LocaleMiddleware would follow the browser's Accept-Language, so a venue
tablet or a spectator's phone set to English would switch by itself. The product is
Chinese by default: on pages, only an explicit choice (the language menu's cookie)
changes it.

API clients are programs that ask for a language on purpose: under ``/api/`` the
Accept-Language header is kept, so ``Accept-Language: en`` gets English error messages
(the registry's messages are lazy translations, rendered in the request's language).
"""

API_PREFIX = "/api/"


class ChineseByDefaultMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(API_PREFIX):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
