"""Exact origin matching for WebSockets: scheme, host and port.

Channels' ``AllowedHostsOriginValidator`` compares only the host with ``ALLOWED_HOSTS``: a page
on ``http://contest.example.org:8080`` (or on plain http, where anyone on the venue Wi-Fi can
inject script) could open a socket that carries the user's session. Here an Origin is accepted
only when it is, exactly:

- one of ``WS_ALLOWED_ORIGINS`` (default: ``CSRF_TRUSTED_ORIGINS``), e.g. ``https://board.example.org``; or
- the origin the socket itself was served on: the scheme (https only while ``SECURE_SSL_REDIRECT``
  is on, as in production; http or https otherwise), and the host and port of the request's
  ``Host`` header, which must be one of ``ALLOWED_HOSTS``.

A socket without an Origin header is refused: every browser sends one, and a script that
wants a board sends the site's own origin (or fetches the board over HTTP).
Settings are read on each handshake, so a test can change them.

A path that no route matches (``/ws/events/abc/``, ``/ws/../``, an id too long to be one) is
refused the same way, with code 4404, by ``RoutedOrRefused``: Channels' router would raise, and
Daphne logs that as a server error.
"""

from urllib.parse import urlsplit

from channels.routing import URLRouter
from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django.urls import Resolver404, URLResolver
from django.urls.resolvers import RegexPattern

DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise_origin(origin: str) -> tuple[str, str, int] | None:
    """``(scheme, host, port)`` of an http(s) origin, with the default port filled in; None if malformed."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in DEFAULT_PORTS or not host or parts.path not in ("", "/") or parts.query or parts.username:
        return None
    return scheme, host, port or DEFAULT_PORTS[scheme]


def origin_allowed(origin: str | None, host_header: str | None) -> bool:
    if not origin:
        return False
    parsed = normalise_origin(origin)
    if parsed is None:
        return False
    explicit = getattr(settings, "WS_ALLOWED_ORIGINS", None) or settings.CSRF_TRUSTED_ORIGINS
    if any(normalise_origin(allowed) == parsed for allowed in explicit):
        return True
    if not host_header:
        return False
    domain, port = split_domain_port(host_header)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return False
    scheme, origin_host, origin_port = parsed
    schemes = ("https",) if settings.SECURE_SSL_REDIRECT else ("http", "https")
    served_port = int(port) if port else DEFAULT_PORTS[scheme]
    return scheme in schemes and origin_host == domain and origin_port == served_port


async def deny(receive, send, code: int = 4403) -> None:
    """Close the handshake before accepting it (Daphne answers HTTP 403).

    Channels' ``WebsocketDenier`` is a consumer, and a consumer closes stale database
    connections (a hop to a worker thread) before each message: a storm of refused
    handshakes need not cost that.
    """
    message = await receive()
    if message["type"] == "websocket.connect":
        await send({"type": "websocket.close", "code": code})


class ExactOriginValidator:
    """ASGI middleware: refuse a WebSocket handshake whose Origin is not exactly an allowed one."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        headers = {}
        for name, value in scope.get("headers", []):
            if name in (b"origin", b"host"):
                headers[name] = value.decode("latin1")
        if origin_allowed(headers.get(b"origin"), headers.get(b"host")):
            return await self.application(scope, receive, send)
        return await deny(receive, send)


class RoutedOrRefused:
    """ASGI: the socket routes, with a path that matches none of them refused (4404) instead of raising."""

    def __init__(self, patterns):
        self.router = URLRouter(patterns)
        self.resolver = URLResolver(RegexPattern(r"^/"), patterns)

    async def __call__(self, scope, receive, send):
        try:
            self.resolver.resolve(scope["path"])
        except Resolver404:
            return await deny(receive, send, code=4404)
        return await self.router(scope, receive, send)
