"""DRF permissions for the set-up API, built on ``competitions.selectors``.

Reading is scoped by each viewset's queryset (what you cannot see is a 404). Writing
an object needs the organiser role in its competition (what you can see but do not
organise is a 403). Creating under a competition is checked by the viewset once the
input has named the competition, with ``competitions.access.require_organiser``.
"""

from rest_framework import permissions

from competitions import selectors


class IsOrganiserOrReadOnly(permissions.BasePermission):
    """Unsafe methods need a signed-in user who organises the object's competition.

    The viewset says where an object's competition is, with ``competition_of(obj)``.
    """

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return selectors.is_organiser(request.user, view.competition_of(obj))


class IsStaffToCreate(IsOrganiserOrReadOnly):
    """Competitions: any staff user may create one (and becomes its organiser)."""

    def has_permission(self, request, view):
        if view.action == "create":
            return bool(request.user and request.user.is_authenticated and request.user.is_staff)
        return super().has_permission(request, view)


class OrganisationPermission(permissions.BasePermission):
    """Organisations are shared by every competition.

    Staff and organisers may add one (a new enterprise when registering teams); only
    superusers change or delete one, since other competitions' teams point at it.
    """

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if view.action == "create":
            return user.is_staff or user.is_superuser or bool(view.roles.organiser_of)
        return user.is_superuser
