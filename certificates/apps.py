import logging

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("证书")

    def ready(self):
        # WeasyPrint logs every rendering step at INFO (even while importing, for its own
        # stylesheets) and fontTools every subset: thousands of lines per batch.
        for noisy in ("weasyprint.progress", "fontTools"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
