"""Writes about certificates: issue (one or many), revoke, reissue (bulk-issue batches: ``batches.py``).

Certificates follow the results (DOMAIN.md: only after the announcement period, with no
objection upheld, are the awards certified). An award certificate (individual, team) is
refused with 409 ``results_not_final`` until its event's results are final, and an
excellent-organisation certificate until every event of the competition is final
(``scoring.results_selectors``). An organiser may issue earlier with a reason
(``override_reason``): it is stored on the certificate, audited (``override``) and shown on
the verification page. Participation certificates are always available.

Concurrency: serial numbers come from a per-competition sequence allocated while
holding a row lock on the Competition (``select_for_update``; on SQLite the
IMMEDIATE transaction mode serialises writers). The unique constraints on
(competition, sequence), on ``serial`` and on (competition, holder_key) among valid
certificates back the lock up: a duplicate can never be committed.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates.models import Certificate, CertificateAudit, CertificateKind, CertificateTemplate
from certificates.signing import verification_code_for
from competitions.models import Competition, Contestant, Event, Organisation, Team
from config.errors import DomainError, error
from config.text import require_clean
from scoring.results_selectors import competition_results_final, final_event_ids

AWARD_TITLES = {1: "一等奖", 2: "二等奖", 3: "三等奖"}
AWARD_KINDS = (CertificateKind.INDIVIDUAL, CertificateKind.TEAM, CertificateKind.ORGANISATION)


class CertificateError(DomainError):
    code = "certificate_invalid"


def award_title_for(*, kind: str, award_level: int | None) -> str:
    if kind == CertificateKind.ORGANISATION:
        return _("优秀组织奖")
    if kind == CertificateKind.PARTICIPATION:
        return _("参赛证书")
    if kind == CertificateKind.ONLINE:
        return _("线上竞赛证书")
    if award_level not in AWARD_TITLES:
        raise CertificateError("award_level_invalid", field="award_level")
    return _(AWARD_TITLES[award_level])


@dataclass(frozen=True)
class IssueRequest:
    """One certificate to issue; plain data so bulk issue can validate many before writing."""

    kind: str
    event: Event | None = None
    award_level: int | None = None
    award_title: str = ""
    holder_contestant: Contestant | None = None
    holder_team: Team | None = None
    holder_organisation: Organisation | None = None
    # An online contest's participant (kind ``online``): no roster record, only the asking room's
    # stable key for the person and the name and unit to print.
    holder_ref: str = ""
    holder_name: str = ""
    holder_unit: str = ""

    @property
    def holder(self):
        return self.holder_contestant or self.holder_team or self.holder_organisation

    @property
    def holder_key(self) -> str:
        if self.holder_ref:
            return f"{self.kind}:0:{self.holder_ref}"[:80]
        if self.holder_contestant is not None:
            who = f"c{self.holder_contestant.pk}"
        elif self.holder_team is not None:
            who = f"t{self.holder_team.pk}"
        else:
            who = f"o{self.holder_organisation.pk}"
        return f"{self.kind}:{self.event.pk if self.event else 0}:{who}"


def _validate(request: IssueRequest, competition: Competition) -> None:
    holders = [h for h in (request.holder_contestant, request.holder_team, request.holder_organisation) if h]
    if request.kind == CertificateKind.ONLINE or request.holder_ref:
        if holders or request.kind != CertificateKind.ONLINE or not request.holder_ref:
            raise CertificateError("holder_invalid", field="holder")
        if not request.holder_name.strip():
            raise CertificateError("holder_name_missing", field="holder")
        return
    if len(holders) != 1:
        raise CertificateError("holder_invalid", field="holder")
    if request.kind not in CertificateKind.values:
        raise CertificateError("kind_invalid", field="kind")
    expected = {
        CertificateKind.INDIVIDUAL: "contestant",
        CertificateKind.TEAM: "team",
        CertificateKind.ORGANISATION: "organisation",
    }.get(request.kind)
    actual = "contestant" if request.holder_contestant else "team" if request.holder_team else "organisation"
    if request.kind == CertificateKind.PARTICIPATION and actual == "organisation":
        expected = "contestant"
    if expected and expected != actual:
        raise CertificateError("holder_kind_mismatch", field="holder")
    if request.event is not None and request.event.competition_id != competition.pk:
        raise CertificateError("event_not_in_competition", field="event")
    holder = request.holder
    if actual in ("contestant", "team") and holder.competition_id != competition.pk:
        raise CertificateError("holder_not_in_competition", field="holder")
    if not (holder.name or "").strip():
        raise CertificateError("holder_name_missing", field="holder")
    if request.kind in (CertificateKind.INDIVIDUAL, CertificateKind.TEAM) and request.event is None:
        raise CertificateError("event_required", field="event")


def _template_for(competition: Competition, kind: str) -> CertificateTemplate | None:
    return CertificateTemplate.objects.filter(competition=competition, kind=kind, is_active=True).first()


def _build(
    request: IssueRequest, *, competition: Competition, sequence: int, issued_by, batch, template, today
) -> Certificate:
    holder = request.holder
    unit = request.holder_unit
    if request.holder_contestant is not None or request.holder_team is not None:
        unit = holder.organisation.name
    serial = f"{settings.CERTIFICATE_SERIAL_PREFIX}-{competition.year}-{competition.slug.upper()}-{sequence:04d}"
    return Certificate(
        competition=competition,
        event=request.event,
        kind=request.kind,
        award_level=request.award_level if request.kind in (CertificateKind.INDIVIDUAL, CertificateKind.TEAM) else None,
        award_title=request.award_title or award_title_for(kind=request.kind, award_level=request.award_level),
        holder_contestant=request.holder_contestant,
        holder_team=request.holder_team,
        holder_organisation=request.holder_organisation,
        holder_key=request.holder_key,
        holder_name=(holder.name if holder is not None else request.holder_name).strip()[:200],
        holder_unit=unit,
        sequence=sequence,
        serial=serial,
        verification_code=verification_code_for(serial),
        issued_on=today,
        issued_by=issued_by,
        issuer_name=competition.host.name,
        template=template,
        batch=batch,
    )


class ResultsGate:
    """Whether each award request's results are final, asked once per event and once for the competition."""

    def __init__(self, competition: Competition, requests: list[IssueRequest]):
        self.competition = competition
        events = {r.event.pk: r.event for r in requests if r.event is not None and r.kind in AWARD_KINDS}
        self.final_events = final_event_ids(events.values()) if events else set()
        self._competition_final = None

    def allows(self, request: IssueRequest) -> bool:
        if request.kind == CertificateKind.ORGANISATION:
            if self._competition_final is None:
                self._competition_final = competition_results_final(self.competition)
            return self._competition_final
        if request.kind in AWARD_KINDS:
            return request.event is not None and request.event.pk in self.final_events
        return True


@transaction.atomic
def certificates_issue_many(
    *, competition: Competition, requests: list[IssueRequest], issued_by=None, batch=None, override_reason: str = ""
) -> tuple[list[Certificate], list[dict]]:
    """Issue many certificates at once; returns (certificates, errors).

    Idempotent: a holder that already has a valid certificate of the same kind for
    the same event gets that one back, not a second one. An invalid request is
    reported in ``errors`` ({"holder", "code", "detail", "field"}) and does not stop the rest;
    an award whose results are not final is such an error (``results_not_final``) unless
    ``override_reason`` is given (the caller has checked the organiser role).
    Takes a row lock on the competition to allocate serial numbers.
    """
    override_reason = (override_reason or "").strip()
    require_clean("override_reason", override_reason, max_length=300)
    locked = Competition.objects.select_for_update().select_related("host").get(pk=competition.pk)
    gate = ResultsGate(locked, requests)
    overridden: list[Certificate] = []
    existing = {
        c.holder_key: c
        for c in Certificate.objects.filter(competition=locked, status=Certificate.Status.VALID).select_related(
            "event", "competition"
        )
    }
    next_sequence = (Certificate.objects.filter(competition=locked).aggregate(m=Max("sequence"))["m"] or 0) + 1
    today = timezone.localdate()
    templates = {}
    results: list[Certificate] = []
    errors: list[dict] = []
    fresh: list[Certificate] = []
    for request in requests:
        try:
            _validate(request, locked)
            key = request.holder_key
            if key in existing:
                results.append(existing[key])
                continue
            final = gate.allows(request)
            if not final and not override_reason:
                raise CertificateError("results_not_final", field="event")
            if request.kind not in templates:
                templates[request.kind] = _template_for(locked, request.kind)
            certificate = _build(
                request,
                competition=locked,
                sequence=next_sequence,
                issued_by=issued_by,
                batch=batch,
                template=templates[request.kind],
                today=today,
            )
        except DomainError as exc:
            holder = request.holder
            errors.append(
                {
                    "holder": str(holder) if holder else "",
                    "code": exc.code,
                    "detail": str(exc.message),
                    "field": exc.field,
                }
            )
            continue
        if not final:
            certificate.results_override_reason = override_reason
            overridden.append(certificate)
        next_sequence += 1
        existing[key] = certificate
        fresh.append(certificate)
        results.append(certificate)
    if fresh:
        Certificate.objects.bulk_create(fresh)
        if any(c.pk is None for c in fresh):  # backends that do not return ids from bulk inserts
            by_serial = dict(
                Certificate.objects.filter(serial__in=[c.serial for c in fresh]).values_list("serial", "pk")
            )
            for c in fresh:
                c.pk = by_serial[c.serial]
        CertificateAudit.objects.bulk_create(
            [CertificateAudit(certificate=c, action=CertificateAudit.Action.ISSUE, actor=issued_by) for c in fresh]
            + [
                CertificateAudit(
                    certificate=c, action=CertificateAudit.Action.OVERRIDE, actor=issued_by, reason=override_reason
                )
                for c in overridden
            ]
        )
    return results, errors


def certificate_issue(
    *,
    competition: Competition,
    kind: str,
    event: Event | None = None,
    award_level: int | None = None,
    award_title: str = "",
    holder_contestant: Contestant | None = None,
    holder_team: Team | None = None,
    holder_organisation: Organisation | None = None,
    issued_by=None,
    override_reason: str = "",
) -> Certificate:
    """Issue one certificate (or return the holder's existing valid one). Raises CertificateError.

    An award before its results are final needs ``override_reason`` (409 ``results_not_final``).
    """
    request = IssueRequest(
        kind=kind,
        event=event,
        award_level=award_level,
        award_title=award_title,
        holder_contestant=holder_contestant,
        holder_team=holder_team,
        holder_organisation=holder_organisation,
    )
    return certificate_issue_request(competition, request, issued_by=issued_by, override_reason=override_reason)


def certificate_issue_request(
    competition: Competition, request: IssueRequest, *, issued_by=None, override_reason: str = ""
) -> Certificate:
    """``certificate_issue`` for a prepared ``IssueRequest``."""
    certificates, errors = certificates_issue_many(
        competition=competition, requests=[request], issued_by=issued_by, override_reason=override_reason
    )
    if errors:
        raise CertificateError(errors[0]["code"], field=errors[0]["field"], detail=errors[0]["detail"])
    return certificates[0]


def online_certificate_issue(
    sender, *, competition: Competition, holder_ref: str, holder_name: str, holder_unit: str, award_title: str, **kwargs
) -> str:
    """Receiver of ``competitions.signals.online_certificate_requested``: the person's e-certificate's path.

    Issued once per person (``holder_ref``) and competition; asking again finds the same one.
    """
    certificate = certificate_issue_request(
        competition,
        IssueRequest(
            kind=CertificateKind.ONLINE,
            award_title=(award_title or "")[:60],
            holder_ref=holder_ref,
            holder_name=holder_name,
            holder_unit=(holder_unit or "")[:200],
        ),
    )
    return reverse("certificates:verify", args=[certificate.verification_code])


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, reason: str, revoked_by) -> Certificate:
    """Revoke with a reason (audited). Locks the certificate row; revoking twice is a 409."""
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError("reason_required", field="reason")
    require_clean("reason", reason, max_length=300)
    locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if locked.status == Certificate.Status.REVOKED:
        raise error("already_revoked")
    locked.status = Certificate.Status.REVOKED
    locked.revoked_at = timezone.now()
    locked.revoked_reason = reason
    locked.save(update_fields=["status", "revoked_at", "revoked_reason"])
    CertificateAudit.objects.create(
        certificate=locked, action=CertificateAudit.Action.REVOKE, actor=revoked_by, reason=reason
    )
    return locked


@transaction.atomic
def certificate_reissue(*, certificate: Certificate, reason: str, issued_by) -> Certificate:
    """Revoke ``certificate`` and issue its replacement with a new serial, from the holder's current data.

    Both steps are audited; the new certificate links to the old one (``replaces``).
    """
    old = certificate_revoke(certificate=certificate, reason=reason, revoked_by=issued_by)
    request = IssueRequest(
        kind=old.kind,
        event=old.event,
        award_level=old.award_level,
        award_title=old.award_title,
        holder_contestant=old.holder_contestant,
        holder_team=old.holder_team,
        holder_organisation=old.holder_organisation,
    )
    certificates, errors = certificates_issue_many(
        competition=old.competition,
        requests=[request],
        issued_by=issued_by,
        override_reason=old.results_override_reason,
    )
    if errors:
        raise CertificateError(errors[0]["code"], field=errors[0]["field"], detail=errors[0]["detail"])
    new = certificates[0]
    new.replaces = old
    new.save(update_fields=["replaces"])
    CertificateAudit.objects.create(
        certificate=new, action=CertificateAudit.Action.REISSUE, actor=issued_by, reason=old.revoked_reason
    )
    return new


@transaction.atomic
def certificate_template_create(
    *, competition: Competition, kind: str, name: str, html: str, css: str = "", background=None
) -> CertificateTemplate:
    """An organiser's template. It renders later in the sandbox (no network, no files outside the project)."""
    from django.template import TemplateSyntaxError

    from certificates.rendering.sandbox import validate_custom_template

    if kind not in CertificateKind.values:
        raise CertificateError("kind_invalid", field="kind")
    try:
        validate_custom_template(html)
    except TemplateSyntaxError as exc:
        raise CertificateError("template_invalid", field="html", error=exc) from exc
    CertificateTemplate.objects.filter(competition=competition, kind=kind, is_active=True).update(is_active=False)
    template = CertificateTemplate(competition=competition, kind=kind, name=name, html=html, css=css)
    if background is not None:
        template.background = background
    template.save()
    return template
