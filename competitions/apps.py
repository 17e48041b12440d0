from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompetitionsConfig(AppConfig):
    name = "competitions"
    verbose_name = _("比赛管理")

    def ready(self):
        # Every ModelSerializer writes a model's datetimes as RFC 3339 (see config.fields). The lowest room sets
        # DRF's mapping once, before any serializer class is used.
        from django.db import models
        from rest_framework import serializers

        from config.fields import DateTimeField

        serializers.ModelSerializer.serializer_field_mapping[models.DateTimeField] = DateTimeField
