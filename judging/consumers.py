"""The judge's socket, ``/ws/judge/events/<id>/``: read-only, pushed state of the judge's own sheets.

Authorised in ``connect`` like the live sockets (the origin is checked by ``config.asgi``'s
validator before this): signed-in users with a judging assignment for the event only. The
frames come from ``judging.push`` through the process-local hub; a client message changes
nothing (``live.consumers``' read-only rule and flood limit apply).
"""

from channels.db import database_sync_to_async

from competitions.models import Event
from competitions.selectors import judge_assignment
from live.consumers import _HubConsumer
from live.groups import judge_group_name


def _judged_event(*, user, event_id: int) -> Event | None:
    event = Event.objects.filter(pk=event_id).first()
    if event is None or judge_assignment(user, event) is None:
        return None
    return event


class JudgeConsumer(_HubConsumer):
    async def authorise(self, *, fresh: bool = False):
        user = self.scope.get("user")
        if not (user and user.is_authenticated):
            return None
        event_id = self.scope["url_route"]["kwargs"]["event_id"]
        return await database_sync_to_async(_judged_event)(user=user, event_id=event_id)

    def group_for(self, event):
        return judge_group_name(event.pk, self.scope["user"].pk)
