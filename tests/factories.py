"""factory_boy factories for every model. Tests build their data here."""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from competitions.models import (
    Competition,
    Contestant,
    Draw,
    Entry,
    Event,
    JudgeAssignment,
    Organisation,
    Team,
)
from scoring.models import Criterion, Mark, MarkingScheme


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="zh_CN")
    password = factory.django.Password("pass-for-tests")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"第{n}区总工会")
    short_name = factory.Sequence(lambda n: f"第{n}区")
    kind = Organisation.Kind.DISTRICT


class CompetitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Competition

    title = factory.Sequence(lambda n: f"第{n}届职工技能大赛")
    slug = factory.Sequence(lambda n: f"C{n}")
    year = 2026
    host = factory.SubFactory(OrganisationFactory)
    status = Competition.Status.RUNNING
    is_public = True


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    competition = factory.SubFactory(CompetitionFactory)
    code = factory.Sequence(lambda n: f"ev{n}")
    title = factory.Sequence(lambda n: f"项目{n}")
    kind = Event.Kind.INDIVIDUAL


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    competition = factory.SubFactory(CompetitionFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"代表队{n}")


class ContestantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contestant

    competition = factory.SubFactory(CompetitionFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Faker("name", locale="zh_CN")
    gender = Contestant.Gender.MALE
    id_number = factory.Sequence(lambda n: f"11010119900101{n:04d}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")


class EntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entry

    event = factory.SubFactory(EventFactory)
    contestant = factory.SubFactory(ContestantFactory, competition=factory.SelfAttribute("..event.competition"))
    team = None


class TeamEntryFactory(EntryFactory):
    contestant = None
    team = factory.SubFactory(TeamFactory, competition=factory.SelfAttribute("..event.competition"))
    event = factory.SubFactory(EventFactory, kind=Event.Kind.TEAM)


class JudgeAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JudgeAssignment

    user = factory.SubFactory(UserFactory)
    competition = factory.SubFactory(CompetitionFactory)
    event = None
    role = JudgeAssignment.Role.JUDGE
    organisation = factory.SubFactory(OrganisationFactory)


class DrawFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Draw

    event = factory.SubFactory(EventFactory)
    kind = Draw.Kind.CODE
    seed = factory.Sequence(lambda n: f"seed{n}")
    result = factory.LazyFunction(dict)


class MarkingSchemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MarkingScheme

    event = factory.SubFactory(EventFactory)


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    scheme = factory.SubFactory(MarkingSchemeFactory)
    code = factory.Sequence(lambda n: f"c{n}")
    title = factory.Sequence(lambda n: f"评分项{n}")
    kind = Criterion.Kind.JUDGEMENT
    max_value = Decimal("20")
    step = Decimal("0.5")
    aggregation = Criterion.Aggregation.MEAN


class MarkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mark

    entry = factory.SubFactory(EntryFactory)
    criterion = factory.SubFactory(CriterionFactory, scheme__event=factory.SelfAttribute("...entry.event"))
    judge = factory.SubFactory(UserFactory)
    value = Decimal("15")
