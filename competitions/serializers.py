"""Input and output serializers for the set-up API.

Each endpoint has a small input serializer (what a client may write) and an output
one (what it reads back). Personal data of contestants (``phone``, ``id_number``)
lives only in ``ContestantSerializer``, served to the competition's organisers.

Entries have three views, picked per entry from the viewer's roles (``Roles`` in the
context): organisers see everything, judges see the entry blind (code, station, start
order, status: no id, which nothing public carries either), everybody else the public
view (holder name and organisation: the roster). Nobody but organisers can pair a code
with a name: the public view carries no id, code, station or start order, and is listed
in another order (see ``EntryViewSet``).
The public pages (``competitions.views``) draw the same line.
"""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from competitions import selectors
from competitions.models import Competition, Contestant, Entry, Event, JudgeAssignment, Organisation, Team
from config.api import InputModelSerializer
from config.errors import error
from config.openapi import CLOSED


class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary key among the objects whose competition the requesting user can see.

    An id you cannot see reads as "does not exist", exactly like a 404.
    """

    def __init__(self, *, competition_path="competition", **kwargs):
        self.competition_path = competition_path
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        visible = selectors.competitions_visible_to(request.user if request else None)
        return super().get_queryset().filter(**{f"{self.competition_path}__in": visible})


# Organisations


class OrganisationSerializer(serializers.ModelSerializer):
    children_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "name", "short_name", "kind", "parent", "children_count"]


class OrganisationInputSerializer(InputModelSerializer):
    class Meta:
        model = Organisation
        fields = ["name", "short_name", "kind", "parent"]


class OrganisationTreeSerializer(serializers.ModelSerializer):
    """One organisation and, recursively, its children (``children`` is a list built by the view)."""

    class Meta:
        model = Organisation
        fields = ["id", "name", "short_name", "kind", "children"]

    def get_fields(self):
        fields = super().get_fields()
        fields["children"] = OrganisationTreeSerializer(many=True, read_only=True, source="tree_children")
        return fields


# Competitions

COMPETITION_FIELDS = [
    "title",
    "slug",
    "year",
    "host",
    "venue",
    "starts_on",
    "ends_on",
    "status",
    "is_public",
    "publication",
    "frozen_at",
    "forbid_conflict_of_interest",
]


class CompetitionSerializer(serializers.ModelSerializer):
    host_name = serializers.CharField(source="host.name", read_only=True)

    class Meta:
        model = Competition
        fields = ["id", *COMPETITION_FIELDS, "host_name"]


class CompetitionInputSerializer(InputModelSerializer):
    """A competition as written. The publication policy (and its ``frozen_at``) is read-only here.

    ``live`` owns the policy: switching it takes the freeze snapshot or starts the reveal,
    and tells every screen. A write that sends ``publication`` is refused (400
    ``publication_read_only``) rather than ignored, so a client never believes it froze a board.
    """

    class Meta:
        model = Competition
        fields = COMPETITION_FIELDS
        read_only_fields = ["publication", "frozen_at"]

    def to_internal_value(self, data):
        if hasattr(data, "keys") and "publication" in data:
            raise error(
                "publication_read_only",
                field="publication",
                id=self.instance.pk if self.instance is not None else "{id}",
            )
        return super().to_internal_value(data)

    def validate(self, attrs):
        starts_on = attrs.get("starts_on", getattr(self.instance, "starts_on", None))
        ends_on = attrs.get("ends_on", getattr(self.instance, "ends_on", None))
        if starts_on and ends_on and ends_on < starts_on:
            raise serializers.ValidationError({"ends_on": [_("结束日期不能早于开始日期。")]})
        return attrs


# Events

EVENT_FIELDS = ["competition", "code", "title", "kind", "description", "stations", "position"]


class EventSerializer(serializers.ModelSerializer):
    """An event as read. ``blind`` and ``decoded_at`` are read-only here: decoding (解密) is an
    audited step of the results chain, and unsetting ``blind`` would skip it."""

    class Meta:
        model = Event
        fields = ["id", *EVENT_FIELDS, "blind", "decoded_at"]
        read_only_fields = ["blind", "decoded_at"]


class EventInputSerializer(InputModelSerializer):
    competition = VisibleRelatedField(competition_path="pk", queryset=Competition.objects.all())

    class Meta:
        model = Event
        fields = EVENT_FIELDS


# Teams


class TeamSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = Team
        fields = ["id", "competition", "organisation", "organisation_name", "name"]


class TeamInputSerializer(InputModelSerializer):
    competition = VisibleRelatedField(competition_path="pk", queryset=Competition.objects.all())

    class Meta:
        model = Team
        fields = ["competition", "organisation", "name"]


# Contestants (organisers only: personal data)

CONTESTANT_FIELDS = ["competition", "organisation", "team", "name", "gender", "id_number", "phone", "job_title"]


class ContestantSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = Contestant
        fields = ["id", *CONTESTANT_FIELDS, "organisation_name"]


class ContestantInputSerializer(InputModelSerializer):
    competition = VisibleRelatedField(competition_path="pk", queryset=Competition.objects.all())
    team = VisibleRelatedField(queryset=Team.objects.all(), allow_null=True, required=False)

    class Meta:
        model = Contestant
        fields = CONTESTANT_FIELDS


# Entries


class EntryInputSerializer(InputModelSerializer):
    event = VisibleRelatedField(queryset=Event.objects.all())
    # Defaults, not just "optional": the conditional unique constraints are validated on them.
    contestant = VisibleRelatedField(queryset=Contestant.objects.all(), allow_null=True, default=None)
    team = VisibleRelatedField(queryset=Team.objects.all(), allow_null=True, default=None)

    class Meta:
        model = Entry
        fields = ["event", "contestant", "team", "code", "station", "start_order", "status"]
        extra_kwargs = {"code": {"default": ""}, "station": {"default": None}, "start_order": {"default": None}}


# The three views are closed shapes: a body of one matches none of the others (``oneOf`` in the schema).
@extend_schema_serializer(extensions=CLOSED)
class EntryJudgeSerializer(serializers.ModelSerializer):
    """Blind: what a judge may know about an entry. No id: judges address entries by code."""

    class Meta:
        model = Entry
        fields = ["event", "code", "station", "start_order", "status"]
        read_only_fields = fields


@extend_schema_serializer(extensions=CLOSED)
class EntryPublicSerializer(serializers.ModelSerializer):
    """Who takes part, without anything a judge sees (id, code, station, start order)."""

    holder_name = serializers.CharField(source="holder.name", read_only=True)
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    organisation_name = serializers.CharField(source="holder.organisation.name", read_only=True)

    class Meta:
        model = Entry
        fields = ["event", "holder_name", "organisation", "organisation_name"]
        read_only_fields = fields


class EntryOrganiserSerializer(EntryPublicSerializer):
    class Meta:
        model = Entry
        fields = [
            "id",
            "event",
            "contestant",
            "team",
            "code",
            "station",
            "start_order",
            "status",
            "holder_name",
            "organisation",
            "organisation_name",
        ]
        read_only_fields = fields


class EntryOutputSerializer(serializers.BaseSerializer):
    """Picks the organiser, judge (blind) or public view of each entry from ``context["roles"]``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._views = {}

    def _view(self, cls):
        if cls not in self._views:
            self._views[cls] = cls(context=self.context)
        return self._views[cls]

    def to_representation(self, instance):
        roles = self.context["roles"]
        competition_id = instance.event.competition_id
        if roles.manages(competition_id):
            cls = EntryOrganiserSerializer
        elif roles.judges_blind(competition_id):
            cls = EntryJudgeSerializer
        else:
            cls = EntryPublicSerializer
        return self._view(cls).to_representation(instance)


# Judge assignments


class JudgeAssignmentSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = JudgeAssignment
        fields = ["id", "user", "username", "competition", "event", "role", "organisation"]


class JudgeAssignmentInputSerializer(InputModelSerializer):
    user = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.all())
    competition = VisibleRelatedField(competition_path="pk", queryset=Competition.objects.all())
    event = VisibleRelatedField(queryset=Event.objects.all(), allow_null=True, default=None)

    class Meta:
        model = JudgeAssignment
        fields = ["user", "competition", "event", "role", "organisation"]
