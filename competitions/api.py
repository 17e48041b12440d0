"""ViewSets of the set-up API under ``/api/v1/``.

Each viewset scopes its queryset to what the user may see (anything else is a 404),
checks the organiser role before any write (a 403), reads with one input serializer
and answers with one output serializer, and hands the write to
``competitions.services``. An object never moves to another competition (or an
entry to another event): that would let an organiser write into a competition they
do not organise.
"""

from functools import cached_property

from django.db.models import Case, Count, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from competitions import filters, selectors, serializers, services
from competitions.access import require_organiser
from competitions.models import Contestant, Entry, Event, JudgeAssignment, Organisation, Team
from competitions.permissions import IsOrganiserOrReadOnly, IsStaffToCreate, OrganisationPermission
from config.errors import error

WRITE_ACTIONS = {"create", "update", "partial_update"}
WRITE_METHODS = {"POST", "PUT", "PATCH"}


def io_schema(tag, output=None, **overrides):
    """Schema annotations for a viewset with separate input and output serializers.

    The serializers are the viewset's own ``input_serializer_class`` and
    ``output_serializer_class``; ``output`` overrides the latter in the schema.
    """

    def decorate(viewset):
        request, response = viewset.input_serializer_class, output or viewset.output_serializer_class
        views = {
            "list": extend_schema(tags=[tag]),
            "retrieve": extend_schema(tags=[tag]),
            "create": extend_schema(tags=[tag], request=request, responses={201: response}),
            "update": extend_schema(tags=[tag], request=request, responses={200: response}),
            "partial_update": extend_schema(tags=[tag], request=request, responses={200: response}),
            "destroy": extend_schema(tags=[tag]),
        }
        views.update(overrides)
        return extend_schema_view(**views)(viewset)

    return decorate


class SetupViewSet(viewsets.ModelViewSet):
    permission_classes = [IsOrganiserOrReadOnly]
    input_serializer_class = None
    output_serializer_class = None
    # The field naming the object's competition (or event); it cannot change on update.
    parent_field = "competition"

    @cached_property
    def roles(self) -> selectors.Roles:
        return selectors.roles_of(self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "roles": self.roles}

    def get_serializer_class(self):
        # OPTIONS describes what a POST or PUT takes: the input serializer, under the cloned request's method.
        writing = self.action in WRITE_ACTIONS or (self.request is not None and self.request.method in WRITE_METHODS)
        return self.input_serializer_class if writing else self.output_serializer_class

    def competition_of(self, obj):
        return obj.competition

    def competition_for_create(self, data):
        return data["competition"]

    def save(self, instance, data):
        """Write through a service; the default is a plain model save."""
        instance = instance or self.get_queryset().model()
        for name, value in data.items():
            setattr(instance, name, value)
        instance.save()
        return instance

    def output(self, instance):
        fresh = self.get_queryset().get(pk=instance.pk)
        return self.output_serializer_class(fresh, context=self.get_serializer_context()).data

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        competition = self.competition_for_create(serializer.validated_data)
        if competition is not None:
            require_organiser(request.user, competition)
        instance = self.save(None, serializer.validated_data)
        return Response(self.output(instance), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        parent = self.parent_field
        if parent and parent in data and data[parent] != getattr(instance, parent):
            raise error("parent_immutable", field=parent)
        instance = self.save(instance, data)
        return Response(self.output(instance))

    def perform_destroy(self, instance):
        services.object_delete(instance=instance)


@io_schema(
    "organisations",
    tree=extend_schema(tags=["organisations"], responses=serializers.OrganisationTreeSerializer(many=True)),
)
class OrganisationViewSet(SetupViewSet):
    """Units (federation, district and industry unions, enterprises), a tree via ``parent``."""

    permission_classes = [OrganisationPermission]
    input_serializer_class = serializers.OrganisationInputSerializer
    output_serializer_class = serializers.OrganisationSerializer
    filterset_class = filters.OrganisationFilter
    parent_field = None

    def get_queryset(self):
        return Organisation.objects.annotate(children_count=Count("children")).order_by("name")

    def competition_for_create(self, data):
        return None

    def save(self, instance, data):
        return services.organisation_save(organisation=instance, **data)

    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def tree(self, request):
        """Every organisation, nested under its parent; roots first, each level by name."""
        nodes = list(Organisation.objects.order_by("name"))
        for node in nodes:
            node.tree_children = []
        by_id = {node.pk: node for node in nodes}
        roots = []
        for node in nodes:
            (by_id[node.parent_id].tree_children if node.parent_id else roots).append(node)
        return Response(serializers.OrganisationTreeSerializer(roots, many=True).data)


@io_schema("competitions")
class CompetitionViewSet(SetupViewSet):
    """Competitions: public ones for everybody, others for the people who have a role in them."""

    permission_classes = [IsStaffToCreate]
    input_serializer_class = serializers.CompetitionInputSerializer
    output_serializer_class = serializers.CompetitionSerializer
    filterset_class = filters.CompetitionFilter
    parent_field = None

    def get_queryset(self):
        return selectors.competitions_visible_to(self.request.user).select_related("host")

    def competition_of(self, obj):
        return obj

    def competition_for_create(self, data):
        return None

    def save(self, instance, data):
        if instance is None:
            return services.competition_create(created_by=self.request.user, **data)
        # The publication policy is not in ``data``: live owns it (PUT .../publication/).
        return super().save(instance, data)


@io_schema("events")
class EventViewSet(SetupViewSet):
    input_serializer_class = serializers.EventInputSerializer
    output_serializer_class = serializers.EventSerializer
    filterset_class = filters.EventFilter

    def get_queryset(self):
        return Event.objects.filter(competition__in=selectors.competitions_visible_to(self.request.user))

    def save(self, instance, data):
        return services.event_save(event=instance, **data)


@io_schema("teams")
class TeamViewSet(SetupViewSet):
    input_serializer_class = serializers.TeamInputSerializer
    output_serializer_class = serializers.TeamSerializer
    filterset_class = filters.TeamFilter

    def get_queryset(self):
        visible = selectors.competitions_visible_to(self.request.user)
        return Team.objects.filter(competition__in=visible).select_related("organisation")


@io_schema("contestants")
class ContestantViewSet(SetupViewSet):
    """Contestants, with their personal data: only for the competition's organisers."""

    input_serializer_class = serializers.ContestantInputSerializer
    output_serializer_class = serializers.ContestantSerializer
    filterset_class = filters.ContestantFilter

    def get_queryset(self):
        managed = selectors.competitions_managed_by(self.request.user)
        return Contestant.objects.filter(competition__in=managed).select_related("organisation")

    def save(self, instance, data):
        return services.contestant_save(contestant=instance, **data)


def entry_views(*, many=False):
    """The schema of an entry as read: one of its three views (see ``serializers.EntryOutputSerializer``)."""
    return PolymorphicProxySerializer(
        component_name="EntryView",
        serializers=[
            serializers.EntryOrganiserSerializer,
            serializers.EntryPublicSerializer,
            serializers.EntryJudgeSerializer,
        ],
        resource_type_field_name=None,
        many=many,
    )


@io_schema(
    "entries",
    entry_views(),
    list=extend_schema(
        tags=["entries"],
        responses=entry_views(many=True),
        description="Organisers see every field; judges see entries blind (code, station, start order, "
        "status; no id); everybody else sees holder name and organisation (no id, code or station).",
    ),
    retrieve=extend_schema(tags=["entries"], responses=entry_views()),
)
class EntryViewSet(SetupViewSet):
    input_serializer_class = serializers.EntryInputSerializer
    output_serializer_class = serializers.EntryOutputSerializer
    filterset_class = filters.EntryFilter
    parent_field = "event"

    def get_queryset(self):
        visible = selectors.competitions_visible_to(self.request.user)
        entries = Entry.objects.filter(event__competition__in=visible).select_related(
            "event", "contestant__organisation", "team__organisation"
        )
        return entries.order_by(*self.ordering_for(self.roles))

    @staticmethod
    def ordering_for(roles):
        """Draw order where the viewer sees codes; elsewhere by unit and name.

        Were the public list in draw order too, its n-th name and a judge's n-th code
        would be the same entry.
        """
        unit = Coalesce("contestant__organisation__name", "team__organisation__name")
        name = Coalesce("contestant__name", "team__name")
        if roles.is_admin:
            return ["event", "start_order", "id"]
        sees_codes = roles.organiser_of | roles.judge_in
        if not sees_codes:
            return ["event", unit, name, "id"]
        coded = Q(event__competition__in=sees_codes)
        return [
            "event",
            Case(When(coded, then=F("start_order"))),
            Case(When(coded, then=Value("")), default=unit),
            Case(When(coded, then=Value("")), default=name),
            "id",
        ]

    def retrieve(self, request, *args, **kwargs):
        entry = self.get_object()
        competition_id = entry.event.competition_id
        if not self.roles.manages(competition_id):
            # Only organisers know entries by id; a judge looking one up by id could pair it with whatever else
            # carries that id, and the public view carries no id to look up.
            raise Http404
        return Response(self.output_serializer_class(entry, context=self.get_serializer_context()).data)

    def competition_of(self, obj):
        return obj.event.competition

    def competition_for_create(self, data):
        return data["event"].competition

    def save(self, instance, data):
        return services.entry_save(entry=instance, **data)


@io_schema("judge-assignments")
class JudgeAssignmentViewSet(SetupViewSet):
    """Roles in competitions: organisers see their competitions' assignments, everybody their own."""

    input_serializer_class = serializers.JudgeAssignmentInputSerializer
    output_serializer_class = serializers.JudgeAssignmentSerializer
    filterset_class = filters.JudgeAssignmentFilter

    def get_queryset(self):
        user = self.request.user
        if not user.is_authenticated:
            return JudgeAssignment.objects.none()
        managed = selectors.competitions_managed_by(user)
        mine = Q(competition__in=managed) | Q(user=user)
        return JudgeAssignment.objects.filter(mine).select_related("user")

    def save(self, instance, data):
        return services.judge_assignment_save(assignment=instance, **data)
