"""Query filters for the set-up API (django-filter).

Every filter set is a ``config.api.QueryFilterSet``: a bad value is a 400 naming the parameter.

Entries deliberately have no filter by contestant or team, and the organisation
filter skips competitions the viewer judges blind: otherwise a judge could learn
which codes belong to which unit by filtering.
"""

from django.db.models import Q

from competitions.models import Competition, Contestant, Entry, Event, JudgeAssignment, Organisation, Team
from config.api import BooleanFilter, IntegerFilter, QueryFilterSet


class OrganisationFilter(QueryFilterSet):
    root = BooleanFilter(field_name="parent", lookup_expr="isnull", label="root")

    class Meta:
        model = Organisation
        fields = ["parent", "kind"]


class CompetitionFilter(QueryFilterSet):
    class Meta:
        model = Competition
        fields = ["status", "year", "host", "is_public"]


class EventFilter(QueryFilterSet):
    class Meta:
        model = Event
        fields = ["competition", "kind"]


class TeamFilter(QueryFilterSet):
    class Meta:
        model = Team
        fields = ["competition", "organisation"]


class ContestantFilter(QueryFilterSet):
    class Meta:
        model = Contestant
        fields = ["competition", "organisation", "team"]


class EntryFilter(QueryFilterSet):
    competition = IntegerFilter(field_name="event__competition", label="competition")
    organisation = IntegerFilter(method="filter_organisation", label="organisation")

    class Meta:
        model = Entry
        fields = ["event", "competition", "status", "organisation"]

    def filter_organisation(self, queryset, name, value):
        queryset = queryset.filter(Q(contestant__organisation=value) | Q(team__organisation=value))
        roles = self.request.parser_context["view"].roles
        blind = [cid for cid in roles.judge_in if not roles.manages(cid)]
        return queryset.exclude(event__competition__in=blind) if blind else queryset


class JudgeAssignmentFilter(QueryFilterSet):
    class Meta:
        model = JudgeAssignment
        fields = ["competition", "event", "role", "user"]
