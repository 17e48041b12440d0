import pytest
from channels.layers import channel_layers
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from live.routing import websocket_urlpatterns


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    # Each async test runs on its own event loop; a layer built on an earlier loop must not leak into it.
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def socket(path: str, user=None) -> WebsocketCommunicator:
    """A communicator on the WebSocket routes, as ``user`` (the auth middleware is the part not under test)."""
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), path)
    communicator.scope["user"] = user or AnonymousUser()
    return communicator


@pytest.fixture(autouse=True)
def _fast_passwords_and_clean_cache(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.cache import cache

    cache.clear()


class LayerListener:
    """A plain channel joined to live groups, to read what the broadcaster sent (sync tests)."""

    def __init__(self, *groups):
        from asgiref.sync import async_to_sync
        from channels.layers import get_channel_layer

        self._sync = async_to_sync
        self.layer = get_channel_layer()
        self.channel = async_to_sync(self.layer.new_channel)()
        for group in groups:
            async_to_sync(self.layer.group_add)(group, self.channel)

    def frames(self) -> list[dict]:
        """Every frame received so far, decoded, in order (``group`` added to each)."""
        import asyncio
        import json

        async def drain():
            out = []
            while True:
                try:
                    message = await asyncio.wait_for(self.layer.receive(self.channel), 0.05)
                except TimeoutError:
                    return out
                out.append({**json.loads(message["text"]), "group": message["group"]})

        return self._sync(drain)()
