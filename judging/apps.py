from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JudgingConfig(AppConfig):
    name = "judging"
    verbose_name = _("裁判")

    def ready(self):
        # Connects the receiver that stamps a fresh login as activity (idle expiry).
        from judging import middleware  # noqa: F401
