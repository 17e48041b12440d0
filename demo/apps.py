from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """``seed_demo`` and its data. The top of the house: it may import every app, and no app imports it."""

    name = "demo"
    verbose_name = _("演示数据")
