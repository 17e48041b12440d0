"""Reads of the organiser console: which units a competition's pages show and may change."""

from django.db.models import Exists, OuterRef, Q

from competitions.models import Competition, Contestant, JudgeAssignment, Organisation, Team


def used_elsewhere(competition: Competition):
    """A unit is shared by every competition; one used by another competition is read-only here."""
    return (
        Exists(Team.objects.filter(organisation=OuterRef("pk")).exclude(competition=competition))
        | Exists(Contestant.objects.filter(organisation=OuterRef("pk")).exclude(competition=competition))
        | Exists(JudgeAssignment.objects.filter(organisation=OuterRef("pk")).exclude(competition=competition))
        | Exists(Competition.objects.filter(host=OuterRef("pk")).exclude(pk=competition.pk))
    )


def units_of(competition: Competition):
    """Units this competition uses, plus units nobody uses yet (just created, waiting for teams)."""
    used_here = (
        Exists(Team.objects.filter(organisation=OuterRef("pk"), competition=competition))
        | Exists(Contestant.objects.filter(organisation=OuterRef("pk"), competition=competition))
        | Exists(JudgeAssignment.objects.filter(organisation=OuterRef("pk"), competition=competition))
        | Q(pk=competition.host_id)
    )
    unused = (
        ~Exists(Team.objects.filter(organisation=OuterRef("pk")))
        & ~Exists(Contestant.objects.filter(organisation=OuterRef("pk")))
        & ~Exists(JudgeAssignment.objects.filter(organisation=OuterRef("pk")))
        & ~Exists(Competition.objects.filter(host=OuterRef("pk")))
        & ~Exists(Organisation.objects.filter(parent=OuterRef("pk")))
    )
    return Organisation.objects.filter(used_here | unused)
