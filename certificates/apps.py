from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("证书")

    def ready(self):
        from certificates.services import online_certificate_issue
        from competitions.signals import online_certificate_requested

        online_certificate_requested.connect(online_certificate_issue, dispatch_uid="certificates.online")
