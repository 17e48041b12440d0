"""The live benchmark's baseline: the product's ASGI app plus the stock Channels fan-out.

Only the benchmark's own Daphne serves this module (``bench/live_fanout.py`` starts it);
the product (``config.asgi``) has no such path, so no spectator can switch to it.
A socket to ``/ws/events/<id>/?fanout=stock`` is served the stock way: every consumer
joins the channel-layer group itself and receives its own copy of each frame (a thread
hop per message included). Everything else goes to the product's application unchanged.
"""

import os
import sys
from pathlib import Path
from urllib.parse import parse_qs

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from channels.auth import AuthMiddlewareStack
from channels.consumer import AsyncConsumer
from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from config.asgi import application as product
from live.consumers import LeaderboardConsumer

# The query that picks the stock path on the bench's server.
STOCK_QUERY = "fanout=stock"


class StockLeaderboardConsumer(LeaderboardConsumer):
    """The stock Channels way: each socket joins the group itself."""

    channel_layer_alias = "default"

    async def dispatch(self, message):
        await AsyncConsumer.dispatch(self, message)  # the stock way, a thread hop per message included

    async def join(self):
        await self.channel_layer.group_add(self.group, self.channel_name)

    async def leave(self):
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def live_frame(self, message):
        await self.send(text_data=message["text"])


stock = AllowedHostsOriginValidator(
    AuthMiddlewareStack(URLRouter([path("ws/events/<int:event_id>/", StockLeaderboardConsumer.as_asgi())]))
)


async def application(scope, receive, send):
    if scope["type"] == "websocket" and parse_qs(scope.get("query_string", b"").decode("latin-1")) == parse_qs(
        STOCK_QUERY
    ):
        return await stock(scope, receive, send)
    return await product(scope, receive, send)
