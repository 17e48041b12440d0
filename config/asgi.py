"""One ASGI app for HTTP and WebSockets, served by Daphne."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Django must be set up before anything imports models, so routing comes after this.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter  # noqa: E402
from django.urls import get_resolver  # noqa: E402

from config.websocket import ExactOriginValidator, RoutedOrRefused  # noqa: E402
from judging.middleware import IdleSocketMiddleware  # noqa: E402
from judging.routing import websocket_urlpatterns as judging_sockets  # noqa: E402
from live.hub import keep_server_send  # noqa: E402
from live.routing import websocket_urlpatterns as live_routes  # noqa: E402
from quizzes.routing import websocket_urlpatterns as quiz_routes  # noqa: E402

websocket_urlpatterns = live_routes + judging_sockets + quiz_routes

# Import every view now, before Daphne listens: after a restart the first requests come as a
# storm of reconnecting screens, and should not each wait on a module being imported.
get_resolver().url_patterns  # noqa: B018

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # Origin first (scheme, host and port exactly: config/websocket.py), then the session's user,
        # anonymous again if the session has been idle too long (judging/middleware.py); an unknown path is refused.
        "websocket": keep_server_send(
            ExactOriginValidator(AuthMiddlewareStack(IdleSocketMiddleware(RoutedOrRefused(websocket_urlpatterns))))
        ),
    }
)
