"""``/console/``: the organiser console's competition pages (scheme and judge pages live in their rooms)."""

from django.urls import path, register_converter

from competitions import views_console


class SectionConverter:
    """Only the console's own lists, so ``/console/<pk>/judges/`` and the like stay free for other rooms."""

    regex = "|".join(views_console.SECTIONS)

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(SectionConverter, "console_section")
S = "<console_section:section>"

urlpatterns = [
    path("", views_console.console_home, name="console-home"),
    path("new/", views_console.competition_create, name="console-competition-create"),
    path("<int:pk>/", views_console.competition_dashboard, name="console-competition"),
    path("<int:pk>/edit/", views_console.competition_edit, name="console-competition-edit"),
    path(f"<int:pk>/{S}/", views_console.section_list, name="console-section"),
    path(f"<int:pk>/{S}/new/", views_console.section_form, name="console-section-create"),
    path(f"<int:pk>/{S}/<int:obj_pk>/", views_console.section_form, name="console-section-edit"),
    path(f"<int:pk>/{S}/<int:obj_pk>/delete/", views_console.section_delete, name="console-section-delete"),
]
