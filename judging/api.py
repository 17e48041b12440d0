"""API for clients: tokens, who am I, and judge accounts an organiser creates.

- ``POST /api/v1/auth/token/``: username and password → a token (django-rest-knox: expiring,
  revocable, hashed at rest). Sent as ``Authorization: Token <token>``. Throttled per client
  address together with the login form (``LOGIN_RATE``), and django-axes' lockout applies.
- ``DELETE /api/v1/auth/token/``: revoke the token the request carries.
- ``GET /api/v1/me/``: the signed-in user and their roles, per competition.
- ``POST /api/v1/competitions/<id>/judges/``: an organiser creates a judge's account and
  assignment in their own competition, and gets the one-time login QR code for the tablet.

This lives in ``judging`` (above ``competitions``) because judge accounts come with the
tablet's login codes.
"""

from django.contrib.auth import authenticate
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from knox.auth import TokenAuthentication
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from competitions.access import require_organiser
from competitions.models import Competition, Event, JudgeAssignment, Organisation
from competitions.serializers import JudgeAssignmentSerializer
from config.api import InputSerializer
from config.errors import error
from config.fields import DateTimeField
from config.throttling import LoginRateThrottle
from judging.accounts import api_token_create, judge_account_create
from judging.login_codes import login_code_svg

NAME_MAX_LENGTH = 60
# The roles an organiser may give a new account (not organiser): its own enum in the schema.
JUDGE_ACCOUNT_ROLES = [
    (JudgeAssignment.Role.JUDGE.value, JudgeAssignment.Role.JUDGE.label),
    (JudgeAssignment.Role.CHIEF_JUDGE.value, JudgeAssignment.Role.CHIEF_JUDGE.label),
]


class TokenInputSerializer(InputSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()
    expiry = DateTimeField()


class TokenView(APIView):
    """POST signs in with a password and returns a token; DELETE revokes the token sent with it."""

    throttle_classes = [LoginRateThrottle]

    def _signing_in(self) -> bool:
        # The schema generator builds the view without a request.
        return self.request is None or self.request.method == "POST"

    def get_authenticators(self):
        # POST takes a password, not a session or a token; so no CSRF check either.
        return [] if self._signing_in() else [TokenAuthentication()]

    def get_permissions(self):
        return [AllowAny()] if self._signing_in() else [IsAuthenticated()]

    def get_throttles(self):
        return super().get_throttles() if self._signing_in() else []

    @extend_schema(
        request=TokenInputSerializer, responses={201: TokenOutputSerializer}, summary="用用户名和密码换取 API 令牌"
    )
    def post(self, request):
        data = TokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # The HttpRequest, so django-axes counts the failure at this address (and its middleware sees a lockout).
        user = authenticate(request._request, **data.validated_data)
        if user is None:
            if getattr(request._request, "axes_locked_out", False):
                raise error("locked_out")
            raise error("invalid_credentials")
        instance, token = api_token_create(user=user)
        return Response({"token": token, "expiry": instance.expiry}, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None}, summary="撤销当前 API 令牌")
    def delete(self, request):
        request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class RoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=JudgeAssignment.Role.choices)
    event = serializers.IntegerField(allow_null=True)


class CompetitionRolesSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    roles = RoleSerializer(many=True)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()
    is_staff = serializers.BooleanField()
    competitions = CompetitionRolesSerializer(many=True)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: MeSerializer}, summary="当前用户及其在各比赛中的角色")
    def get(self, request):
        user = request.user
        competitions: dict[int, dict] = {}
        assignments = JudgeAssignment.objects.filter(user=user).select_related("competition")
        for assignment in assignments.order_by("competition_id", "role", "event_id", "id"):
            entry = competitions.setdefault(
                assignment.competition_id,
                {"id": assignment.competition_id, "title": assignment.competition.title, "roles": []},
            )
            entry["roles"].append({"role": assignment.role, "event": assignment.event_id})
        body = {
            "id": user.pk,
            "username": user.get_username(),
            "name": user.get_full_name(),
            "is_staff": user.is_staff,
            "competitions": list(competitions.values()),
        }
        return Response(MeSerializer(body).data)


class JudgeInputSerializer(InputSerializer):
    username = serializers.CharField(max_length=150, validators=[UnicodeUsernameValidator()])
    name = serializers.CharField(max_length=NAME_MAX_LENGTH)
    role = serializers.ChoiceField(choices=JUDGE_ACCOUNT_ROLES)
    event = serializers.PrimaryKeyRelatedField(queryset=Event.objects.none(), allow_null=True, default=None)
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), allow_null=True, default=None
    )

    def __init__(self, *args, competition: Competition | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if competition is not None:  # the schema generator builds one without a competition
            self.fields["event"].queryset = competition.events.all()


class JudgeOutputSerializer(serializers.Serializer):
    assignment = JudgeAssignmentSerializer()
    name = serializers.CharField()
    login_url = serializers.URLField(help_text="一次性登录地址（二维码内容）")
    login_qr_svg = serializers.CharField(help_text="一次性登录二维码（SVG）")
    login_expires_at = DateTimeField()


class CompetitionJudgesView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=JudgeInputSerializer,
        responses={201: JudgeOutputSerializer},
        summary="组织者为本比赛创建裁判账号和分工，返回一次性登录二维码",
    )
    def post(self, request, pk):
        competition = get_object_or_404(Competition, pk=pk)
        require_organiser(request.user, competition)  # before the body: no 400 tells an outsider anything
        data = JudgeInputSerializer(data=request.data, competition=competition)
        data.is_valid(raise_exception=True)
        account = judge_account_create(competition=competition, created_by=request.user, **data.validated_data)
        url = request.build_absolute_uri(reverse("tablet:code-login", args=[account.token]))
        body = {
            "assignment": account.assignment,
            "name": account.assignment.user.first_name,
            "login_url": url,
            "login_qr_svg": login_code_svg(url),
            "login_expires_at": account.login_code.expires_at,
        }
        return Response(JudgeOutputSerializer(body).data, status=status.HTTP_201_CREATED)
