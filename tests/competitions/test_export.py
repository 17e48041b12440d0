import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from competitions import draw_services
from competitions.models import Contestant, Entry, Event, JudgeAssignment, Organisation, Team
from tests.factories import (
    CompetitionFactory,
    ContestantFactory,
    EntryFactory,
    EventFactory,
    JudgeAssignmentFactory,
    TeamFactory,
    UserFactory,
)
from tests.fixtures.roster import HEADERS, valid_id, xlsx_upload

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def competition():
    competition = CompetitionFactory(title="2026年区职工技能大赛")
    EventFactory(competition=competition, code="car", title="汽车维修", position=1)
    EventFactory(competition=competition, code="dish", title="中式热菜", position=2)
    EventFactory(competition=competition, code="relay", title="团体接力", kind=Event.Kind.TEAM, position=3)
    return competition


def sheet_rows(content: bytes) -> list[tuple]:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return list(workbook.worksheets[0].iter_rows(values_only=True))


def test_export_api_writes_import_columns_plus_code_and_station(api, competition):
    team = TeamFactory(competition=competition, name="一汽修队", organisation__name="渝北区总工会")
    contestant = ContestantFactory(
        competition=competition,
        organisation=team.organisation,
        team=team,
        name="张伟",
        gender=Contestant.Gender.MALE,
        id_number=valid_id(1),
        phone="13900000001",
        job_title="汽车维修工",
    )
    car, dish, relay = competition.events.order_by("position")
    EntryFactory(event=dish, contestant=contestant, code="B02", station=5)
    EntryFactory(event=car, contestant=contestant, code="A07", station=3)
    EntryFactory(event=relay, contestant=None, team=team, code="C01")

    response = api.get(reverse("api-competition-export", args=[competition.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == f'attachment; filename="roster-{competition.slug}.xlsx"'
    assert sheet_rows(response.content) == [
        (*HEADERS, "参赛号", "赛位号"),
        (
            "渝北区总工会",
            "一汽修队",
            "张伟",
            "男",
            valid_id(1),
            "13900000001",
            "汽车维修工",
            "car、dish、relay",
            "A07、B02、C01",
            "3、5",
        ),
    ]


def test_export_round_trip_reimports_as_unchanged(api, competition):
    rows = [
        ["渝北区总工会", "渝北一队", "张伟", "男", valid_id(1), "13900000001", "汽车维修工", "car、relay"],
        ["渝北区总工会", "渝北一队", "李娜", "女", valid_id(2), "", "", "dish、relay"],
        ["两江新区总工会", "", "王强", "", valid_id(3), "13900000003", "厨师", "dish"],
        ["两江新区总工会", "", "赵敏", "女", valid_id(4), "", "", ""],
    ]
    assert (
        api.post(reverse("api-competition-import", args=[competition.pk]), {"file": xlsx_upload(rows)}).status_code
        == 201
    )
    for event in competition.events.all():
        draw_services.draw_codes(event=event, drawn_by=None, seed="round-trip")
    counts = (Organisation.objects.count(), Team.objects.count(), Contestant.objects.count(), Entry.objects.count())

    exported = api.get(reverse("api-competition-export", args=[competition.pk])).content
    assert len(sheet_rows(exported)) == 5
    url = reverse("api-competition-import", args=[competition.pk])
    upload = SimpleUploadedFile("roster.xlsx", exported, XLSX)
    preview = api.post(f"{url}?dry_run=1", {"file": upload}).json()
    assert [row["status"] for row in preview["rows"]] == ["unchanged"] * 4
    assert preview["counts"]["new"] == 0
    assert preview["counts"]["entries_new"] == 0

    response = api.post(url, {"file": SimpleUploadedFile("roster.xlsx", exported, XLSX)})
    assert response.status_code == 201
    assert response.json()["summary"] == "新增 0 人，更新 0 人，未变 4 人，错误 0 行"
    assert (
        Organisation.objects.count(),
        Team.objects.count(),
        Contestant.objects.count(),
        Entry.objects.count(),
    ) == counts


def test_export_writes_formula_like_text_as_text(api, competition):
    ContestantFactory(competition=competition, name="=HYPERLINK(1)", id_number=valid_id(1))
    response = api.get(reverse("api-competition-export", args=[competition.pk]))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    cell = workbook.worksheets[0]["C2"]
    assert (cell.value, cell.data_type) == ("=HYPERLINK(1)", "s")


def test_export_empty_competition_has_only_headers(api, competition):
    response = api.get(reverse("api-competition-export", args=[competition.pk]))
    assert sheet_rows(response.content) == [(*HEADERS, "参赛号", "赛位号")]


def test_export_page_downloads_the_same_file(api, competition):
    ContestantFactory(competition=competition, name="张伟", id_number=valid_id(1))
    response = api.get(reverse("manage-export", args=[competition.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert [row[2] for row in sheet_rows(response.content)] == ["姓名", "张伟"]


def test_export_refuses_non_organiser(client, competition):
    client.force_login(UserFactory())
    assert client.get(reverse("api-competition-export", args=[competition.pk])).status_code == 403
    assert client.get(reverse("manage-export", args=[competition.pk])).status_code == 403


def test_export_refuses_anonymous(client, competition):
    assert client.get(reverse("api-competition-export", args=[competition.pk])).status_code == 403
    response = client.get(reverse("manage-export", args=[competition.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_export_refuses_organiser_of_another_competition(client, competition):
    other = JudgeAssignmentFactory(competition=CompetitionFactory(), role=JudgeAssignment.Role.ORGANISER).user
    client.force_login(other)
    assert client.get(reverse("api-competition-export", args=[competition.pk])).status_code == 403
