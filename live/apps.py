from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    name = "live"
    verbose_name = _("实时成绩")

    def ready(self):
        # The live board listens to scoring's signal; scoring never imports live.
        from live import board
        from scoring import signals

        signals.standings_changed.connect(board.on_standings_changed, dispatch_uid="live.board")
        signals.event_decoded.connect(board.on_event_decoded, dispatch_uid="live.board.decoded")
