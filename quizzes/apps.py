from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = _("网上知识竞赛")

    def ready(self):
        from django.db.models.signals import post_save

        from quizzes.models import Attempt
        from quizzes.signals import attempt_saved

        post_save.connect(attempt_saved, sender=Attempt, dispatch_uid="quizzes.dashboard-stamp")
