from django.urls import path

from certificates import views

app_name = "certificates"

urlpatterns = [
    path("verify/<str:code>/", views.verify, name="verify"),
    path("verify/<str:code>/pdf/", views.verify_pdf, name="verify-pdf"),
    path("certificates/find/", views.find, name="find"),
    path("manage/certificate-batches/<int:pk>/", views.batch_progress, name="batch"),
]
