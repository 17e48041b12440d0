"""``/console/<competition>/judges/``: judge accounts, assignments and their login QR codes."""

from django.urls import path

from judging import views_console

urlpatterns = [
    path("<int:pk>/judges/", views_console.judges, name="console-judges"),
    path(
        "<int:pk>/judges/<int:assignment_pk>/remove/", views_console.assignment_remove, name="console-assignment-remove"
    ),
    path("<int:pk>/judges/login-codes.pdf", views_console.login_codes_pdf, name="console-login-codes-pdf"),
]
