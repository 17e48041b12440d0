from django.contrib import admin

from certificates.models import Certificate, CertificateAudit, CertificateBatch, CertificateTemplate


class AuditInline(admin.TabularInline):
    model = CertificateAudit
    extra = 0
    can_delete = False
    readonly_fields = ["action", "actor", "reason", "at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["serial", "holder_name", "award_title", "event", "status", "issued_on"]
    list_filter = ["status", "kind", "competition"]
    search_fields = ["serial", "holder_name", "holder_unit"]
    list_select_related = ["event"]
    # Certificates change only through services (revoke/reissue are audited), never by hand.
    readonly_fields = [f.name for f in Certificate._meta.fields]
    inlines = [AuditInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CertificateTemplate)
class CertificateTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "competition", "kind", "is_active", "created_at"]
    list_filter = ["kind", "is_active"]


@admin.register(CertificateBatch)
class CertificateBatchAdmin(admin.ModelAdmin):
    list_display = ["id", "competition", "event", "status", "done", "total", "failed", "created_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in CertificateBatch._meta.fields]
