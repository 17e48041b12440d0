import pytest
from django.db import IntegrityError

from tests.factories import EntryFactory, TeamEntryFactory

pytestmark = pytest.mark.django_db


def test_entry_factory_builds_contestant_entry_in_same_competition():
    entry = EntryFactory()
    assert entry.contestant.competition_id == entry.event.competition_id
    assert entry.team is None


def test_team_entry_factory_builds_team_entry():
    entry = TeamEntryFactory()
    assert entry.team.competition_id == entry.event.competition_id
    assert entry.holder == entry.team


def test_entry_constraint_refuses_contestant_and_team_together():
    entry = TeamEntryFactory()
    other = EntryFactory(event=entry.event)
    other.team = entry.team
    with pytest.raises(IntegrityError):
        other.save()


def test_is_chief_judge_is_false_for_anonymous_users():
    from django.contrib.auth.models import AnonymousUser

    from competitions.selectors import is_chief_judge

    assert is_chief_judge(AnonymousUser(), EntryFactory().event) is False
