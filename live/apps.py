from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    name = "live"
    verbose_name = _("实时成绩")

    def ready(self):
        # The live board listens to scoring; scoring never imports live.
        from live import broadcast
        from scoring import hooks

        hooks.subscribe(broadcast.standings_changed)
