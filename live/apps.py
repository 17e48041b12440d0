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
        # A competition that goes private cuts its open sockets (Django's own model signals).
        from django.db.models.signals import post_save, pre_save

        from competitions.models import Competition

        pre_save.connect(board.remember_visibility, sender=Competition, dispatch_uid="live.visibility.pre")
        post_save.connect(board.visibility_saved, sender=Competition, dispatch_uid="live.visibility.post")
