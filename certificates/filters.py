"""Query filters of the certificate list (``config.api.QueryFilterSet``: a bad value is a 400)."""

import django_filters

from certificates.models import Certificate
from config.api import QueryFilterSet


class CertificateFilter(QueryFilterSet):
    holder_name = django_filters.CharFilter(field_name="holder_name", lookup_expr="contains", max_length=200)

    class Meta:
        model = Certificate
        fields = ["event", "holder_name", "status", "kind"]
