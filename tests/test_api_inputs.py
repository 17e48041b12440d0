"""What every API input goes through (config/api.py, config/text.py): each refusal is a 400 naming the field.

Query parameters through django-filter, unknown body fields, numbers beyond 64 bits and
Decimal extremes, free text (length caps, control and bidi characters), and the API's
language following Accept-Language.
"""

import pytest

from competitions.models import Competition, Organisation
from scoring.models import Mark
from tests.factories import CertificateFactory, CompetitionFactory, judged_event_factory
from tests.helpers import client_for, organiser_of

pytestmark = pytest.mark.django_db

BIG = str(2**70)


@pytest.fixture
def panel():
    return judged_event_factory()


def _refused(response, code, field):
    body = response.json()
    assert response.status_code == 400, body
    assert (body["code"], body["field"]) == (code, field)
    return body


def post_marks(user, event, body, key="k1"):
    return client_for(user).post(
        f"/api/v1/events/{event.pk}/marks/", body, format="json", headers={"Idempotency-Key": key}
    )


# ---- query parameters


@pytest.mark.parametrize("value", ["abc", "²", "١", BIG, "1.5"])
def test_certificate_list_refuses_a_bad_event_filter(value):
    certificate = CertificateFactory()
    client = client_for(organiser_of(certificate.competition))

    response = client.get(f"/api/v1/competitions/{certificate.competition_id}/certificates/", {"event": value})

    _refused_any(response, "event")


def _refused_any(response, field):
    body = response.json()
    assert response.status_code == 400, body
    assert body["field"] == field
    assert body["errors"][field]
    return body


def test_certificate_list_filters_by_holder_name_and_ignores_unknown_parameters():
    first = CertificateFactory(holder_contestant__name="张三")
    CertificateFactory(competition=first.competition, holder_contestant__name="李四")
    client = client_for(organiser_of(first.competition))

    response = client.get(
        f"/api/v1/competitions/{first.competition_id}/certificates/", {"holder_name": "张", "_": "1700000000"}
    )

    assert response.status_code == 200
    assert [row["holder_name"] for row in response.json()["results"]] == ["张三"]


@pytest.mark.parametrize("value", ["²", "١٢", BIG, "1E+999999999", "1.5"])
def test_entry_list_refuses_integer_filters_that_are_not_64_bit_ascii_integers(value):
    competition = CompetitionFactory(is_public=True)
    client = client_for(organiser_of(competition))

    for field in ("competition", "organisation", "event"):
        _refused_any(client.get("/api/v1/entries/", {field: value}), field)


def test_boolean_filter_refuses_what_is_not_true_or_false():
    CompetitionFactory(is_public=True)

    _refused_any(client_for(None).get("/api/v1/competitions/", {"is_public": "maybe"}), "is_public")
    assert client_for(None).get("/api/v1/competitions/", {"is_public": "true"}).json()["count"] == 1


@pytest.mark.parametrize("value", ["²", "abc", "9" * 20])
def test_marks_list_refuses_an_entry_that_is_not_a_code_of_the_event(panel, value):
    response = client_for(panel.chief).get(f"/api/v1/events/{panel.event.pk}/marks/", {"entry": value})

    _refused(response, "entry_not_in_event", "entry")


def test_marks_list_refuses_an_entry_code_longer_than_any(panel):
    response = client_for(panel.chief).get(f"/api/v1/events/{panel.event.pk}/marks/", {"entry": "A" * 300})

    _refused_any(response, "entry")


@pytest.mark.parametrize("value", ["-1", "0", "abc", "²", BIG])
def test_page_must_be_a_positive_integer(value):
    response = client_for(None).get("/api/v1/competitions/", {"page": value})

    _refused(response, "page_invalid", "page")


@pytest.mark.parametrize("value", ["abc", "-1", BIG])
def test_quiz_ranking_offset_is_validated(value):
    from tests.quizzes.factories import RoundFactory

    round_ = RoundFactory()
    client = client_for(organiser_of(round_.competition))

    response = client.get(f"/api/v1/quiz/rounds/{round_.pk}/ranking/", {"offset": value})

    _refused_any(response, "offset")


# ---- unknown fields


def test_patch_with_a_misspelled_field_is_400_and_changes_nothing():
    competition = CompetitionFactory(title="原标题")
    client = client_for(organiser_of(competition))

    response = client.patch(f"/api/v1/competitions/{competition.pk}/", {"titel": "新标题"}, format="json")

    _refused(response, "unknown_field", "titel")
    assert Competition.objects.get(pk=competition.pk).title == "原标题"


def test_unknown_field_in_a_nested_mark_names_its_path(panel):
    body = {"marks": [{"entry": panel.entries[0].code, "criterion": "look", "value": "15", "valeu": "16"}]}

    _refused(post_marks(panel.judges[0], panel.event, body), "unknown_field", "marks[0].valeu")
    assert Mark.objects.count() == 0


# ---- numbers


# "-0" is not here: it is a number, stored as plain 0 (tests/scoring/test_api_scoring_rules.py).
@pytest.mark.parametrize("value", ["1E+999999999", "NaN", "Infinity", "-Infinity", "١٢", "²"])
def test_mark_value_extremes_are_400_naming_the_value(panel, value):
    body = {"marks": [{"entry": panel.entries[0].code, "criterion": "look", "value": value}]}

    response = post_marks(panel.judges[0], panel.event, body)

    assert response.status_code == 400, response.json()
    assert response.json()["field"] == "marks[0].value"
    assert Mark.objects.count() == 0


def _post_raw(panel, mark_json: str):
    raw = '{"marks": [' + mark_json.replace("%CODE%", panel.entries[0].code) + "]}"
    url = f"/api/v1/events/{panel.event.pk}/marks/"
    client = client_for(panel.judges[0])
    return client.post(url, raw, content_type="application/json", headers={"Idempotency-Key": "k"})


def test_mark_value_as_a_huge_json_number_is_400_naming_the_value(panel):
    raw = f'{{"marks": [{{"entry": "{panel.entries[0].code}", "criterion": "look", "value": 1E+999999999}}]}}'

    response = client_for(panel.judges[0]).post(
        f"/api/v1/events/{panel.event.pk}/marks/",
        raw,
        content_type="application/json",
        headers={"Idempotency-Key": "k"},
    )

    assert response.status_code == 400, response.json()
    assert response.json()["field"] == "marks[0].value"


def test_mark_value_as_a_json_number_keeps_its_decimal_text(panel):
    raw = f'{{"marks": [{{"entry": "{panel.entries[0].code}", "criterion": "look", "value": 15.50}}]}}'

    response = client_for(panel.judges[0]).post(
        f"/api/v1/events/{panel.event.pk}/marks/",
        raw,
        content_type="application/json",
        headers={"Idempotency-Key": "k"},
    )

    assert response.status_code == 200, response.json()
    assert str(Mark.objects.get().value.normalize()) == "15.5"


@pytest.mark.parametrize("field", ["attempt", "version"])
def test_mark_integers_beyond_64_bits_are_400(panel, field):
    body = {"marks": [{"entry": panel.entries[0].code, "criterion": "look", "value": "15", field: 2**70}]}

    response = post_marks(panel.judges[0], panel.event, body)

    assert response.status_code == 400
    assert response.json()["field"] == f"marks[0].{field}"


def test_an_entry_id_beyond_64_bits_is_400(panel):
    body = {"marks": [{"entry": 2**70, "criterion": "look", "value": "15"}]}

    response = post_marks(panel.chief, panel.event, body)

    assert response.status_code == 400
    assert response.json()["field"] == "marks[0].entry"


def test_declared_attempt_entry_beyond_64_bits_is_400(panel):
    body = {"attempts": [{"entry": 2**70, "criterion": "look", "attempt": 1, "difficulty": "2.0"}]}

    response = client_for(panel.organiser).post(
        f"/api/v1/events/{panel.event.pk}/declared-attempts/", body, format="json"
    )

    assert response.status_code == 400
    assert response.json()["field"] == "attempts[0].entry"


def test_a_body_nested_too_deep_is_400():
    competition = CompetitionFactory()
    client = client_for(organiser_of(competition))

    response = client.patch(
        f"/api/v1/competitions/{competition.pk}/", "[" * 100_000 + "]" * 100_000, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_entries_options_describe_the_input():
    response = client_for(organiser_of(CompetitionFactory())).options("/api/v1/entries/")

    assert response.status_code == 200
    assert "event" in response.json()["actions"]["POST"]


# ---- free text


@pytest.mark.parametrize(
    "name", ["第一\u202e区", "第一\u2066区", "第一\u200f区", "第一\n区", "第一\x00区", "第一\x85区"]
)
def test_organisation_name_refuses_control_and_bidi_characters(name, admin_user):
    response = client_for(admin_user).post("/api/v1/organisations/", {"name": name, "kind": "district"}, format="json")

    _refused(response, "bad_characters", "name")
    assert Organisation.objects.count() == 0  # (PostgreSQL cannot even look up a name holding NUL)


def test_appeal_reason_keeps_new_lines_but_not_overrides(panel):
    entry = panel.entries[0]
    url = f"/api/v1/events/{panel.event.pk}/appeals/"
    client = client_for(panel.chief)

    assert client.post(url, {"entry": entry.pk, "reason": "第一行\n第二行"}, format="json").status_code == 201
    _refused(client.post(url, {"entry": entry.pk, "reason": "理由\u202e"}, format="json"), "bad_characters", "reason")


def test_free_text_without_its_own_cap_is_capped(panel):
    response = client_for(panel.chief).post(
        f"/api/v1/events/{panel.event.pk}/appeals/",
        {"entry": panel.entries[0].pk, "reason": "长" * 2001},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["field"] == "reason"


def test_quiz_answer_refuses_bidi_characters():
    from tests.quizzes.factories import RoundFactory

    round_ = RoundFactory()
    response = client_for(None).post(
        f"/api/v1/quiz/rounds/{round_.pk}/sign-in/",
        {"name": "张\u202e三", "mobile": "13800000000", "unit": round_.competition.host_id},
        format="json",
    )

    _refused(response, "bad_characters", "name")


def test_every_text_field_of_every_request_body_has_a_length_cap():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    uncapped = []
    request_components = {
        ref["$ref"].rsplit("/", 1)[-1]
        for path in schema["paths"].values()
        for operation in path.values()
        for content in (operation.get("requestBody") or {}).get("content", {}).values()
        for ref in [content["schema"]]
        if "$ref" in ref
    }
    components = schema["components"]["schemas"]
    seen = set()
    while request_components:
        name = request_components.pop()
        seen.add(name)
        for prop_name, prop in components[name].get("properties", {}).items():
            if prop.get("readOnly"):
                continue
            target = prop.get("items", prop)
            if "$ref" in target:
                nested = target["$ref"].rsplit("/", 1)[-1]
                if nested not in seen:
                    request_components.add(nested)
            elif (
                target.get("type") == "string"
                and "enum" not in target
                and target.get("format")
                not in (
                    "binary",
                    "date",
                    "date-time",
                    "uri",
                    "decimal",
                )
            ) and "maxLength" not in target:
                uncapped.append(f"{name}.{prop_name}")
    assert uncapped == []


def test_roster_import_refuses_bidi_characters_in_names():
    from competitions import imports

    competition = CompetitionFactory()
    rows = [
        {
            "row": 2,
            "values": {
                "organisation": "第一区",
                "team": "",
                "name": "张\u202e三",
                "gender": "男",
                "id_number": "",
                "phone": "",
                "job_title": "",
                "events": "",
            },
        }
    ]

    preview = imports.build_preview(competition=competition, raw_rows=rows)

    assert ("name", "bad_characters") in {(error.field, error.code) for error in preview.errors}


# ---- language


def test_api_errors_follow_accept_language():
    competition = CompetitionFactory()
    client = client_for(organiser_of(competition))
    url = f"/api/v1/competitions/{competition.pk}/"

    english = client.patch(url, {"titel": "x"}, format="json", headers={"Accept-Language": "en"}).json()
    chinese = client.patch(url, {"titel": "x"}, format="json").json()
    forbidden = client_for(None).post("/api/v1/organisations/", {}, format="json", headers={"Accept-Language": "en"})

    assert (english["code"], english["detail"]) == ("unknown_field", "Unknown field.")
    assert (chinese["code"], chinese["detail"]) == ("unknown_field", "未知字段。")
    assert forbidden.json()["detail"] == "Authentication credentials were not provided."


def test_domain_error_messages_follow_accept_language(panel):
    response = client_for(panel.judges[0]).get(
        f"/api/v1/events/{panel.event.pk}/marks/", {"entry": "ZZZ"}, headers={"Accept-Language": "en"}
    )

    assert response.json()["code"] == "entry_not_in_event"
    assert response.json()["detail"] != "该参赛登记不属于本项目。"
    assert response.json()["detail"].isascii()


@pytest.mark.parametrize(("field", "value"), [("name", "张\u202e三"), ("contact", "138\u2067"), ("text", "异议\x1b")])
def test_an_objection_from_the_public_form_refuses_bidi_and_control_characters(panel, field, value):
    from config.errors import DomainError
    from scoring import results

    texts = {"name": "张三", "contact": "13800000000", "text": "第一行\n第二行", field: value}

    with pytest.raises(DomainError) as refused:
        results.objection_file(event=panel.event, **texts)

    assert (refused.value.code, refused.value.field) == ("bad_characters", field)


@pytest.mark.parametrize(("field", "limit"), [("name", 60), ("contact", 60), ("text", 2000)])
def test_an_objection_from_the_public_form_refuses_text_over_its_limit_instead_of_cutting_it(panel, field, limit):
    from config.errors import DomainError
    from scoring import results
    from scoring.models import Objection

    texts = {"name": "张三", "contact": "13800000000", "text": "分数有误", field: "长" * (limit + 1)}

    with pytest.raises(DomainError) as refused:
        results.objection_file(event=panel.event, **texts)

    assert (refused.value.code, refused.value.field, Objection.objects.count()) == ("text_too_long", field, 0)


def test_plain_form_reasons_over_their_limit_are_refused_not_cut(panel):
    from config.errors import DomainError
    from scoring import results
    from tests.factories import JudgeAssignmentFactory

    organiser = JudgeAssignmentFactory(competition=panel.competition, event=None, role="organiser").user

    with pytest.raises(DomainError) as refused:
        results.results_announce(actor=organiser, event=panel.event, days=3, contact="电" * 201)

    assert (refused.value.code, refused.value.field) == ("text_too_long", "contact")
