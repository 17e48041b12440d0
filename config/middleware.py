"""Simplified Chinese unless the visitor chose otherwise.

Django's LocaleMiddleware would follow the browser's Accept-Language, so a venue
tablet or a spectator's phone set to English would switch by itself. The product is
Chinese by default: only an explicit choice (the language menu's cookie) changes it.
"""


class ChineseByDefaultMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
