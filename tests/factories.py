"""factory_boy factories for every model. Tests build their data here."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from certificates.models import (
    Certificate,
    CertificateAudit,
    CertificateBatch,
    CertificateKind,
    CertificateTemplate,
)
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
from competitions.validators import id_number_check_char
from judging.models import LoginCode
from live.models import BoardState, FrozenBoard, RevealProgress
from scoring.models import (
    Appeal,
    Criterion,
    DeclaredAttempt,
    EventResults,
    EventStandingsVersion,
    IdempotencyRecord,
    Mark,
    MarkHistory,
    MarkingScheme,
    Objection,
    ResultsAudit,
    ReviewItem,
    SchemeRevision,
    Sheet,
    SheetAudit,
)


def valid_id_number(first17: str) -> str:
    """A resident ID number with the right GB 11643 check character."""
    return first17 + id_number_check_char(first17)


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
    id_number = factory.Sequence(lambda n: valid_id_number(f"11010119{n // 1000 % 100:02d}0101{n % 1000:03d}"))
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


# --- scoring workflow: sheets, appeals, history, standings version --------------------------------


class SheetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sheet

    entry = factory.SubFactory(EntryFactory)
    judge = factory.SubFactory(UserFactory)
    state = Sheet.State.DRAFT


class SheetAuditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SheetAudit

    sheet = factory.SubFactory(SheetFactory)
    action = SheetAudit.Action.LOCK
    from_state = Sheet.State.SUBMITTED
    to_state = Sheet.State.LOCKED
    actor = factory.SubFactory(UserFactory)


class AppealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appeal

    entry = factory.SubFactory(EntryFactory)
    filed_by = factory.SubFactory(UserFactory)
    reason = "对观感评分有异议"


class MarkHistoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MarkHistory

    mark = factory.SubFactory(MarkFactory)
    actor = factory.SelfAttribute("mark.judge")
    new_value = factory.SelfAttribute("mark.value")
    new_status = factory.SelfAttribute("mark.status")
    version = factory.SelfAttribute("mark.version")
    idempotency_key = factory.Sequence(lambda n: f"key-{n}")


class IdempotencyRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IdempotencyRecord

    user = factory.SubFactory(UserFactory)
    key = factory.Sequence(lambda n: f"key-{n}")
    scope = "marks:0"
    fingerprint = "0" * 64
    response = factory.LazyFunction(dict)


class SchemeRevisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchemeRevision

    scheme = factory.SubFactory(MarkingSchemeFactory)
    revision = 1
    snapshot = factory.LazyFunction(dict)
    reason = "更正满分"
    revised_by = factory.SubFactory(UserFactory)


class DeclaredAttemptFactory(factory.django.DjangoModelFactory):
    """One dive of a diver's declared list: its own degree of difficulty."""

    class Meta:
        model = DeclaredAttempt

    entry = factory.SubFactory(EntryFactory)
    criterion = factory.SubFactory(CriterionFactory, scheme__event=factory.SelfAttribute("...entry.event"), attempts=6)
    attempt = 1
    label = "107B"
    difficulty = Decimal("3.0")


class EventStandingsVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventStandingsVersion

    event = factory.SubFactory(EventFactory)
    version = 0


class EventResultsFactory(factory.django.DjangoModelFactory):
    """An event's place in the results chain, set directly (tests of later steps and of certificates)."""

    class Meta:
        model = EventResults
        django_get_or_create = ("event",)

    event = factory.SubFactory(EventFactory)
    stage = EventResults.Stage.MARKING

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        stage = kwargs.pop("stage", EventResults.Stage.MARKING)
        results, _ = model_class.objects.get_or_create(event=kwargs.pop("event"), defaults=kwargs)
        results.stage = stage
        for name, value in kwargs.items():
            setattr(results, name, value)
        results.save()
        return results


class ReviewItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewItem

    event = factory.SubFactory(EventFactory)
    entry = factory.SubFactory(EntryFactory, event=factory.SelfAttribute("..event"))
    reason = ReviewItem.Reason.TOP


class ObjectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objection

    event = factory.SubFactory(EventFactory)
    name = "张三"
    contact = "13800000000"
    text = "第二名的成绩有误"


class ResultsAuditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResultsAudit

    event = factory.SubFactory(EventFactory)
    action = ResultsAudit.Action.DECODE
    actor = factory.SubFactory(UserFactory)


def results_final(*events):
    """Mark ``events``' results final, as the end of the chain would (for tests about what follows)."""
    for event in events:
        EventResultsFactory(event=event, stage=EventResults.Stage.FINAL)


class QuickUserFactory(UserFactory):
    """A user with Django's unusable password "!": no PBKDF2 hashing, for tests that authenticate directly."""

    password = "!"


def judged_event_factory(*, entries=3, judges=3, criteria=None, competition=None, decoded=False, **competition_fields):
    """A ready-to-mark event: a scheme, entries from distinct units, a panel, a chief judge and an organiser.

    The event is blind (the model's default); ``decoded`` makes it already decoded, so its public
    board shows names and scores (a blind event's board is sealed until then: ``live.board.seal``).

    ``criteria`` is a list of CriterionFactory kwargs (default: 观感 0–20 and 味感 0–40, judgement, 0.5 steps).
    Returns a namespace with ``competition, event, scheme, criteria, entries, judges, chief, organiser``.
    """
    from types import SimpleNamespace

    competition = competition or CompetitionFactory(**competition_fields)
    event = EventFactory(competition=competition, decoded_at=timezone.now() if decoded else None)
    scheme = MarkingSchemeFactory(event=event)
    specs = criteria or [
        {"code": "look", "title": "观感", "max_value": Decimal("20")},
        {"code": "taste", "title": "味感", "max_value": Decimal("40")},
    ]
    made = [CriterionFactory(scheme=scheme, position=i, **spec) for i, spec in enumerate(specs)]
    made_entries = [
        EntryFactory(event=event, code=f"A{i + 1:02d}", station=i + 1, start_order=1) for i in range(entries)
    ]
    panel = [
        JudgeAssignmentFactory(
            competition=competition,
            event=event,
            role=JudgeAssignment.Role.JUDGE,
            user=QuickUserFactory(),
        ).user
        for _ in range(judges)
    ]
    chief = JudgeAssignmentFactory(
        competition=competition,
        event=event,
        role=JudgeAssignment.Role.CHIEF_JUDGE,
        user=QuickUserFactory(),
    ).user
    organiser = JudgeAssignmentFactory(
        competition=competition, role=JudgeAssignment.Role.ORGANISER, user=QuickUserFactory()
    ).user
    return SimpleNamespace(
        competition=competition,
        event=event,
        scheme=scheme,
        criteria=made,
        entries=made_entries,
        judges=panel,
        chief=chief,
        organiser=organiser,
    )


# --- certificates -------------------------------------------------------------------------------


class CertificateFactory(factory.django.DjangoModelFactory):
    """Issued through ``certificate_issue``, so serials, codes and the audit row are real."""

    class Meta:
        model = Certificate

    competition = factory.SubFactory(CompetitionFactory)
    # Certificates follow decoded results: a blind event's certificate names its holder only once decoded.
    event = factory.SubFactory(
        EventFactory, competition=factory.SelfAttribute("..competition"), decoded_at=factory.LazyFunction(timezone.now)
    )
    kind = CertificateKind.INDIVIDUAL
    award_level = 1
    holder_contestant = factory.SubFactory(ContestantFactory, competition=factory.SelfAttribute("..competition"))
    holder_team = None
    holder_organisation = None
    issued_by = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from certificates.services import certificate_issue

        # Award certificates follow final results: the factory stands for a finished chain.
        if kwargs.get("kind") in (CertificateKind.INDIVIDUAL, CertificateKind.TEAM) and kwargs.get("event"):
            results_final(kwargs["event"])
        elif kwargs.get("kind") == CertificateKind.ORGANISATION:
            results_final(*kwargs["competition"].events.all())
        return certificate_issue(**kwargs)


class CertificateTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CertificateTemplate

    competition = factory.SubFactory(CompetitionFactory)
    kind = CertificateKind.INDIVIDUAL
    name = factory.Sequence(lambda n: f"模板{n}")
    html = '<h1 class="t">{{ doc_title }}</h1><p class="n">{{ holder_name }}</p><p>{{ award_title }}</p>'
    css = ".t { font-size: 40pt; text-align: center; } .n { font-size: 28pt; }"


class CertificateBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CertificateBatch

    competition = factory.SubFactory(CompetitionFactory)
    event = None


# --------------------------------------------------------------------------
# live


class FrozenBoardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FrozenBoard

    event = factory.SubFactory(EventFactory)
    version = 0
    rows = factory.LazyFunction(list)
    frozen_at = factory.LazyFunction(timezone.now)


class RevealProgressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RevealProgress

    event = factory.SubFactory(EventFactory)
    revealed = 0


class BoardStateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BoardState

    event = factory.SubFactory(EventFactory)


# --- judge tablet login codes ------------------------------------------------------------------


class LoginCodeFactory(factory.django.DjangoModelFactory):
    """A stored code row; its token is unknown (use ``judging.login_codes.login_code_issue`` to get one)."""

    class Meta:
        model = LoginCode

    user = factory.SubFactory(QuickUserFactory)
    digest = factory.Sequence(lambda n: f"{n:064x}")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=24))


class CertificateAuditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CertificateAudit

    certificate = factory.SubFactory(CertificateFactory)
    action = CertificateAudit.Action.REVOKE
    actor = factory.SubFactory(UserFactory)
    reason = "证书信息有误"
