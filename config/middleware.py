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


class DomainErrorPageMiddleware:
    """A domain rule broken on a page (a form posted to a service) is that rule's page, never a 500.

    The API turns a ``DomainError`` into JSON (config.errors.api_exception_handler); a page
    view that lets one escape gets the same status and message here, with a link back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.shortcuts import render
        from django.utils.http import url_has_allowed_host_and_scheme

        from config.errors import DomainError

        if not isinstance(exception, DomainError) or request.path_info.startswith(API_PREFIX):
            return None
        back = request.META.get("HTTP_REFERER", "")
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=request.is_secure()):
            back = ""
        context = {"message": exception.message, "field": exception.field, "back": back}
        return render(request, "domain_error.html", context, status=exception.status)
