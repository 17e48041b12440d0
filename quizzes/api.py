"""The quiz REST API: the participant's flow (sign-in → start → answers → submit) and the organiser's reads.

Participants are not Django users: after sign-in the session holds their participant id per
competition (``quiz_participants``). DRF enforces CSRF only for authenticated users, so these
views check it themselves (``ParticipantView.initial``): a page elsewhere cannot answer for
someone. Throttles: per client address on sign-in and start, per participant on answers and
submit (``QUIZ_RATE_PER_ADDRESS`` / ``QUIZ_RATE_PER_PARTICIPANT``).

No response before an attempt is finished carries an answer key or an explanation
(``selectors.attempt_paper``); the review comes with the submit, and only if the round shows it.
"""

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authentication import CSRFCheck
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from competitions.access import require_organiser
from config.api import InputSerializer, query
from config.errors import DomainError, error
from quizzes import selectors, services
from quizzes.models import Attempt, Participant, Round

SESSION_KEY = "quiz_participants"


class AddressThrottle(SimpleRateThrottle):
    scope = "quiz_address"

    def get_rate(self):
        return settings.QUIZ_RATE_PER_ADDRESS

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ParticipantThrottle(SimpleRateThrottle):
    scope = "quiz_participant"

    def get_rate(self):
        return settings.QUIZ_RATE_PER_PARTICIPANT

    def get_cache_key(self, request, view):
        ids = sorted((request.session.get(SESSION_KEY) or {}).values())
        ident = ",".join(str(pk) for pk in ids) or self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


def signed_in_participant(request, competition_id: int) -> Participant:
    pk = (request.session.get(SESSION_KEY) or {}).get(str(competition_id))
    participant = Participant.objects.filter(pk=pk, competition_id=competition_id).first() if pk else None
    if participant is None:
        raise error("quiz_not_signed_in")
    return participant


def open_round(round_id: int) -> Round:
    return get_object_or_404(Round.objects.select_related("competition"), pk=round_id)


class ParticipantView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []  # participants are not users; the session is read directly

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            check = CSRFCheck(lambda _request: None)
            check.process_request(request._request)
            reason = check.process_view(request._request, None, (), {})
            if reason:
                raise error("forbidden", detail=f"CSRF: {reason}")


class SignInInput(InputSerializer):
    name = serializers.CharField(max_length=60)
    mobile = serializers.CharField(max_length=20)
    unit = serializers.IntegerField()


class ParticipantOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    mobile = serializers.CharField()
    unit = serializers.IntegerField(source="unit_id")


class SignInView(ParticipantView):
    throttle_classes = [AddressThrottle]

    @extend_schema(request=SignInInput, responses=ParticipantOutput)
    def post(self, request, round_id):
        round_ = open_round(round_id)
        data = SignInInput(data=request.data)
        data.is_valid(raise_exception=True)
        participant = services.participant_sign_in(
            round_=round_,
            name=data.validated_data["name"],
            mobile=data.validated_data["mobile"],
            unit_id=data.validated_data["unit"],
        )
        signed = dict(request.session.get(SESSION_KEY) or {})
        signed[str(round_.competition_id)] = participant.pk
        request.session[SESSION_KEY] = signed
        return Response(ParticipantOutput(participant).data)


class UnitOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    path = serializers.CharField()


class UnitsQuery(serializers.Serializer):
    q = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")


class UnitsView(ParticipantView):
    @extend_schema(parameters=[UnitsQuery], responses=UnitOutput(many=True))
    def get(self, request, round_id):
        round_ = open_round(round_id)
        return Response(selectors.units_for_picker(round_, query(request, UnitsQuery)["q"]))


def attempt_state(attempt: Attempt, *, now=None) -> dict:
    """What the phone needs to show or resume an attempt; the server's clock gives the remaining time."""
    now = now or timezone.now()
    state = {
        "id": attempt.pk,
        "round": attempt.round_id,
        "number": attempt.number,
        "status": attempt.status,
        "deadline": attempt.deadline.isoformat(),
        "remaining_seconds": max(0, int((attempt.deadline - now).total_seconds())),
        "count": len(attempt.question_ids),
    }
    if attempt.status == Attempt.Status.OPEN:
        state["questions"] = selectors.attempt_paper(attempt)
    else:
        state.update(finished_state(attempt))
    return state


def finished_state(attempt: Attempt) -> dict:
    state = {
        "score": attempt.score,
        "max_score": attempt.max_score,
        "correct": attempt.correct,
        "seconds": round((attempt.duration_ms or 0) / 1000, 1),
        "flagged": attempt.flagged,
        "rank": selectors.my_rank(attempt.round, attempt.participant_id),
        "certificate_url": services.certificate_for(round_=attempt.round, participant_id=attempt.participant_id),
    }
    if attempt.round.show_answers:
        state["review"] = selectors.attempt_review(attempt)
    return state


class StartView(ParticipantView):
    throttle_classes = [AddressThrottle]

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request, round_id):
        round_ = open_round(round_id)
        participant = signed_in_participant(request, round_.competition_id)
        attempt = services.attempt_start(round_=round_, participant=participant)
        return Response(attempt_state(attempt), status=201)


def _attempt(request, attempt_id: int) -> tuple[Attempt, Participant]:
    attempt = get_object_or_404(Attempt.objects.select_related("round", "round__competition"), pk=attempt_id)
    participant = signed_in_participant(request, attempt.round.competition_id)
    if attempt.participant_id != participant.pk:
        raise error("not_found")
    return attempt, participant


class AttemptView(ParticipantView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, attempt_id):
        attempt, _participant = _attempt(request, attempt_id)
        services.attempt_expire_if_due(attempt)
        return Response(attempt_state(attempt))


class AnswerInput(InputSerializer):
    value = serializers.CharField(max_length=200, allow_blank=True, trim_whitespace=False)
    rev = serializers.IntegerField(min_value=0)


class AnswerView(ParticipantView):
    throttle_classes = [ParticipantThrottle]

    @extend_schema(request=AnswerInput, responses=OpenApiTypes.OBJECT)
    def put(self, request, attempt_id, position):
        participant = self._participant(request, attempt_id)
        data = AnswerInput(data=request.data)
        data.is_valid(raise_exception=True)
        saved = services.answer_save(
            attempt_id=attempt_id, participant=participant, position=position, **data.validated_data
        )
        return Response(saved)

    @staticmethod
    def _participant(request, attempt_id) -> Participant:
        """Who answers, for the service to check against the attempt it locks (404 if not theirs).

        The hot path of a quiz (about 200 saves a second at 1,000 phones) costs no query here:
        a phone signed in to one competition has one participant id in its session, and the
        session is server-side, so that id is trusted as it is.
        """
        signed = list((request.session.get(SESSION_KEY) or {}).values())
        if len(signed) == 1:
            return Participant(pk=signed[0])
        competition_id = Attempt.objects.filter(pk=attempt_id).values_list("round__competition_id", flat=True).first()
        if competition_id is None:
            raise error("not_found")
        return signed_in_participant(request, competition_id)


class SubmitView(ParticipantView):
    throttle_classes = [ParticipantThrottle]

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request, attempt_id):
        participant = AnswerView._participant(request, attempt_id)
        attempt = services.attempt_submit(attempt_id=attempt_id, participant=participant)
        return Response(attempt_state(attempt))


class MeView(ParticipantView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, round_id):
        round_ = open_round(round_id)
        try:
            participant = signed_in_participant(request, round_.competition_id)
        except DomainError:
            return Response({"participant": None})  # the page then shows the sign-in form
        open_attempt = participant.attempts.filter(round=round_, status=Attempt.Status.OPEN).first()
        if open_attempt is not None and services.attempt_expire_if_due(open_attempt):
            open_attempt = None
        return Response(
            {
                "participant": ParticipantOutput(participant).data,
                "open_attempt": open_attempt.pk if open_attempt else None,
                "attempts": participant.attempts.filter(round=round_).count(),
                "rank": selectors.my_rank(round_, participant.pk),
            }
        )


# ---- organisers


class OrganiserView(APIView):
    permission_classes = [IsAuthenticated]

    def managed_round(self, request, round_id) -> Round:
        round_ = open_round(round_id)
        require_organiser(request.user, round_.competition)
        return round_


class DashboardView(OrganiserView):
    """The organiser's dashboard as JSON: its first load, and its fallback while the socket is down."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, round_id):
        return Response(selectors.dashboard(self.managed_round(request, round_id)))


class RankingQuery(serializers.Serializer):
    offset = serializers.IntegerField(min_value=0, max_value=10_000_000, required=False, default=0)


class RankingView(OrganiserView):
    @extend_schema(parameters=[RankingQuery], responses=OpenApiTypes.OBJECT)
    def get(self, request, round_id):
        round_ = self.managed_round(request, round_id)
        offset = query(request, RankingQuery)["offset"]
        return Response({"results": selectors.ranking(round_, offset=offset, limit=100)})


class PrizeDrawInput(InputSerializer):
    title = serializers.CharField(max_length=120)
    min_score = serializers.IntegerField(min_value=0)
    winners = serializers.IntegerField(min_value=1, max_value=10000)


class PrizeDrawView(OrganiserView):
    @extend_schema(request=PrizeDrawInput, responses=OpenApiTypes.OBJECT)
    def post(self, request, round_id):
        round_ = self.managed_round(request, round_id)
        data = PrizeDrawInput(data=request.data)
        data.is_valid(raise_exception=True)
        draw = services.prize_draw_create(round_=round_, user=request.user, **data.validated_data)
        return Response(
            {"id": draw.pk, "seed": draw.seed, "candidates": len(draw.candidate_ids), "winner_ids": draw.winner_ids},
            status=201,
        )


class ReviewInput(InputSerializer):
    accept = serializers.BooleanField()


class AttemptReviewView(OrganiserView):
    @extend_schema(request=ReviewInput, responses=OpenApiTypes.OBJECT)
    def post(self, request, attempt_id):
        attempt = get_object_or_404(Attempt.objects.select_related("round__competition"), pk=attempt_id)
        require_organiser(request.user, attempt.round.competition)
        data = ReviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        attempt = services.attempt_review(attempt=attempt, user=request.user, accept=data.validated_data["accept"])
        return Response({"id": attempt.pk, "flagged": attempt.flagged})
