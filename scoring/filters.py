"""Query filters of the scoring API (``config.api.QueryFilterSet``: a bad value is a 400)."""

import django_filters

from competitions.models import Entry, Event
from config.api import QueryFilterSet
from config.errors import error
from scoring import selectors
from scoring.models import Mark


class MarkFilter(QueryFilterSet):
    """``?entry=<code>``: one entry's marks, named by its code (参赛号) as judges know it; an unknown code is a 400."""

    entry = django_filters.CharFilter(method="filter_entry", max_length=Entry._meta.get_field("code").max_length)

    class Meta:
        model = Mark
        fields = ["entry"]

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event

    def filter_entry(self, queryset, name, value):
        entry_id = selectors.entry_ids_by_code(event=self.event, codes=[value]).get(value)
        if entry_id is None:
            raise error("entry_not_in_event", field="entry")
        return queryset.filter(entry_id=entry_id)
