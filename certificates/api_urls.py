from django.urls import path

from certificates import api

app_name = "certificates-api"

urlpatterns = [
    path("competitions/<int:competition_id>/certificates/", api.CompetitionCertificates.as_view(), name="list"),
    path("competitions/<int:competition_id>/certificate-batches/", api.CompetitionBatches.as_view(), name="batches"),
    path(
        "competitions/<int:competition_id>/certificate-templates/",
        api.CompetitionTemplates.as_view(),
        name="templates",
    ),
    path("certificates/find/", api.CertificateFind.as_view(), name="find"),
    path("certificates/<int:pk>/", api.CertificateDetail.as_view(), name="detail"),
    path("certificates/<int:pk>/pdf/", api.CertificatePdf.as_view(), name="pdf"),
    path("certificates/<int:pk>/revoke/", api.CertificateRevoke.as_view(), name="revoke"),
    path("certificates/<int:pk>/reissue/", api.CertificateReissue.as_view(), name="reissue"),
    path("certificate-batches/<int:pk>/", api.BatchDetail.as_view(), name="batch"),
    path("certificate-batches/<int:pk>/<str:which>/", api.BatchFile.as_view(), name="batch-file"),
]
