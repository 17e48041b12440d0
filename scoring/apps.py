from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("评分")

    def ready(self):
        # Answers competitions' signals (the redraw veto); competitions never imports scoring.
        from scoring import receivers  # noqa: F401
