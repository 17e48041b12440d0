"""Query filters for the set-up API (django-filter).

Entries deliberately have no filter by contestant or team, and the organisation
filter skips competitions the viewer judges blind: otherwise a judge could learn
which codes belong to which unit by filtering.
"""

import django_filters
from django.db.models import Q

from competitions.models import Competition, Contestant, Entry, Event, JudgeAssignment, Organisation, Team


class OrganisationFilter(django_filters.FilterSet):
    root = django_filters.BooleanFilter(field_name="parent", lookup_expr="isnull", label="root")

    class Meta:
        model = Organisation
        fields = ["parent", "kind"]


class CompetitionFilter(django_filters.FilterSet):
    class Meta:
        model = Competition
        fields = ["status", "year", "host", "is_public"]


class EventFilter(django_filters.FilterSet):
    class Meta:
        model = Event
        fields = ["competition", "kind"]


class TeamFilter(django_filters.FilterSet):
    class Meta:
        model = Team
        fields = ["competition", "organisation"]


class ContestantFilter(django_filters.FilterSet):
    class Meta:
        model = Contestant
        fields = ["competition", "organisation", "team"]


class EntryFilter(django_filters.FilterSet):
    competition = django_filters.NumberFilter(field_name="event__competition", label="competition")
    organisation = django_filters.NumberFilter(method="filter_organisation", label="organisation")

    class Meta:
        model = Entry
        fields = ["event", "competition", "status", "organisation"]

    def filter_organisation(self, queryset, name, value):
        queryset = queryset.filter(Q(contestant__organisation=value) | Q(team__organisation=value))
        roles = self.request.parser_context["view"].roles
        blind = [cid for cid in roles.judge_in if not roles.manages(cid)]
        return queryset.exclude(event__competition__in=blind) if blind else queryset


class JudgeAssignmentFilter(django_filters.FilterSet):
    class Meta:
        model = JudgeAssignment
        fields = ["competition", "event", "role", "user"]
