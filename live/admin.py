"""Django admin of the live board: the publication policy of each competition.

Live owns the policy, so this is the one admin page that changes it, and it does so
through ``live.services.publication_set``: freezing takes the snapshot, reveal starts
every event at zero, and every screen is told after commit. The competitions admin
shows the policy read-only.
"""

from django.contrib import admin

from competitions.admin import ScopedAdminMixin
from live import services
from live.models import CompetitionPublication


@admin.register(CompetitionPublication)
class CompetitionPublicationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    competition_path = "pk"
    list_display = ["title", "year", "status", "publication", "frozen_at"]
    list_filter = ["publication", "status", "year"]
    search_fields = ["title", "slug"]
    fields = ["title", "publication", "frozen_at"]
    readonly_fields = ["title", "frozen_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if "publication" in form.changed_data:
            saved = services.publication_set(actor=request.user, competition=obj, policy=obj.publication)
            obj.publication, obj.frozen_at = saved.publication, saved.frozen_at
