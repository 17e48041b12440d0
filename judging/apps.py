from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JudgingConfig(AppConfig):
    name = "judging"
    verbose_name = _("裁判")

    def ready(self):
        # ``middleware`` connects the receiver that stamps a fresh login as activity (idle expiry).
        # Pushed state: scoring tells, after commit, what a judge's tablet must learn at once.
        from judging import middleware, push  # noqa: F401
        from scoring import signals

        signals.sheet_changed.connect(push.on_sheet_changed, dispatch_uid="judging.push.sheet")
        signals.marks_changed.connect(push.on_marks_changed, dispatch_uid="judging.push.marks")
        signals.scheme_changed.connect(push.on_scheme_changed, dispatch_uid="judging.push.scheme")
