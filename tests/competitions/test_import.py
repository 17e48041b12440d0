import io
import zipfile

import openpyxl
import openpyxl.xml
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from competitions import imports, roster_services
from competitions.models import Contestant, Entry, Event, JudgeAssignment, Organisation, Team
from tests.factories import (
    CompetitionFactory,
    ContestantFactory,
    EventFactory,
    JudgeAssignmentFactory,
    UserFactory,
)
from tests.fixtures.roster import HEADERS, valid_id, xlsx_bytes, xlsx_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def competition():
    competition = CompetitionFactory(title="2026年无人机应急救援技能竞赛")
    EventFactory(competition=competition, code="assembly", title="无人机组装与飞行", position=1)
    EventFactory(competition=competition, code="rescue", title="应急搜救团体赛", kind=Event.Kind.TEAM, position=2)
    return competition


def roster_rows():
    return [
        ["渝中区总工会", "渝中一队", "张伟", "男", valid_id(1), "13900000001", "无人机驾驶员", "assembly、rescue"],
        ["渝中区总工会", "渝中一队", "李娜", "女", valid_id(2), "13900000002", "无人机驾驶员", "assembly,rescue"],
        ["江北区总工会", "", "王强", "男", valid_id(3), "", "", "assembly"],
    ]


def import_url(competition, dry_run=False):
    url = reverse("api-competition-import", args=[competition.pk])
    return f"{url}?dry_run=1" if dry_run else url


def post_import(api, competition, rows, *, dry_run=False, headers=HEADERS):
    return api.post(import_url(competition, dry_run), {"file": xlsx_upload(rows, headers)})


def test_openpyxl_parses_through_defusedxml():
    assert openpyxl.xml.DEFUSEDXML is True


def test_id_number_error_accepts_published_examples():
    assert imports.id_number_error("11010519491231002X") is None
    assert imports.id_number_error("440524188001010014") is None


def test_id_number_error_names_the_problem():
    assert imports.id_number_error("110105194912310021") == ("id_checksum", "校验位错误")
    assert imports.id_number_error("11010519491231002") == ("id_length", "应为18位")
    assert imports.id_number_error("1101051949123100AX") == ("id_format", "前17位应为数字，末位为数字或X")


def test_split_event_codes_accepts_chinese_and_ascii_separators():
    assert imports.split_event_codes("a、b，c, d;a") == ["a", "b", "c", "d"]


def test_import_dry_run_previews_new_rows_and_writes_nothing(api, competition):
    response = post_import(api, competition, roster_rows(), dry_run=True)
    assert response.status_code == 200
    body = response.json()
    assert body["dry_run"] is True
    assert body["counts"] == {
        "new": 3,
        "updated": 0,
        "unchanged": 0,
        "error": 0,
        "rows": 3,
        "organisations_new": 2,
        "teams_new": 1,
        "entries_new": 4,
    }
    assert [row["status"] for row in body["rows"]] == ["new", "new", "new"]
    assert body["rows"][0]["row"] == 2
    assert body["errors"] == []
    assert Contestant.objects.count() == 0
    assert Entry.objects.count() == 0


def test_import_commit_creates_organisations_teams_contestants_and_entries(api, competition):
    response = post_import(api, competition, roster_rows())
    assert response.status_code == 201
    assert response.json()["summary"] == "新增 3 人，更新 0 人，未变 0 人，错误 0 行"
    assert Contestant.objects.filter(competition=competition).count() == 3
    yuzhong = Organisation.objects.get(name="渝中区总工会")
    assert yuzhong.parent_id == competition.host_id
    team = Team.objects.get(competition=competition, name="渝中一队")
    assert team.organisation_id == yuzhong.id
    zhang = Contestant.objects.get(competition=competition, id_number=valid_id(1))
    assert (zhang.name, zhang.gender, zhang.phone, zhang.job_title, zhang.team_id) == (
        "张伟",
        Contestant.Gender.MALE,
        "13900000001",
        "无人机驾驶员",
        team.id,
    )
    assert Entry.objects.filter(event__code="assembly", contestant__isnull=False).count() == 3
    # Two members list the team event; the team is entered once.
    assert list(Entry.objects.filter(event__code="rescue").values_list("team__name", flat=True)) == ["渝中一队"]
    wang = Contestant.objects.get(id_number=valid_id(3))
    assert (wang.team_id, wang.gender, wang.phone) == (None, Contestant.Gender.MALE, "")


def test_import_same_file_twice_creates_nothing(api, competition):
    post_import(api, competition, roster_rows())
    counts = (Organisation.objects.count(), Team.objects.count(), Contestant.objects.count(), Entry.objects.count())
    response = post_import(api, competition, roster_rows())
    assert response.status_code == 201
    body = response.json()
    assert body["counts"]["new"] == 0
    assert body["counts"]["unchanged"] == 3
    assert body["counts"]["entries_new"] == 0
    assert body["summary"] == "新增 0 人，更新 0 人，未变 3 人，错误 0 行"
    assert (
        Organisation.objects.count(),
        Team.objects.count(),
        Contestant.objects.count(),
        Entry.objects.count(),
    ) == counts


def test_import_changed_fields_report_updated_and_are_written(api, competition):
    post_import(api, competition, roster_rows())
    rows = roster_rows()
    rows[2][5] = "13700000003"  # phone
    rows[2][7] = "assembly、rescue"  # a team event needs a team
    rows[2][1] = "江北一队"
    response = post_import(api, competition, rows)
    assert response.status_code == 201
    body = response.json()
    assert [row["status"] for row in body["rows"]] == ["unchanged", "unchanged", "updated"]
    assert body["rows"][2]["changes"] == ["队名", "手机号", "项目代号"]
    wang = Contestant.objects.get(id_number=valid_id(3))
    assert (wang.phone, wang.team.name) == ("13700000003", "江北一队")
    assert Entry.objects.filter(event__code="rescue", team__name="江北一队").count() == 1


def test_import_updates_existing_contestant_matched_by_id_number(api, competition):
    ContestantFactory(competition=competition, id_number=valid_id(1), name="张卫", phone="13900000001")
    response = post_import(api, competition, roster_rows()[:1], dry_run=True)
    row = response.json()["rows"][0]
    assert (row["status"], row["changes"]) == ("updated", ["单位", "队名", "姓名", "岗位/工种", "项目代号"])


def test_import_matches_an_existing_lowercase_x_id_number(api, competition):
    ContestantFactory(competition=competition, id_number="11010519491231002x", name="张伟")
    rows = [["渝中区总工会", "", "张伟", "男", "11010519491231002X", "", "", ""]]
    response = post_import(api, competition, rows)
    assert [row["status"] for row in response.json()["rows"]] == ["updated"]
    assert list(Contestant.objects.values_list("id_number", flat=True)) == ["11010519491231002x"]


def test_import_reports_errors_row_by_row(api, competition):
    rows = [
        ["渝中区总工会", "", "", "男", valid_id(1), "", "", "assembly"],
        ["渝中区总工会", "", "李娜", "女", "110105194912310021", "", "", "assembly"],
        ["渝中区总工会", "", "王强", "男", valid_id(3), "1390000", "", "assembly"],
        ["渝中区总工会", "", "赵敏", "女", valid_id(4), "", "", "cooking"],
        ["渝中区总工会", "", "刘洋", "男", valid_id(5), "", "", "rescue"],
        ["渝中区总工会", "", "陈静", "人", valid_id(1), "", "", ""],
        ["渝中区总工会", "", "周杰", "男", valid_id(6), "", "", "assembly"],
    ]
    response = post_import(api, competition, rows, dry_run=True)
    assert response.status_code == 200
    body = response.json()
    assert [(e["row"], e["field"], e["code"], e["message"]) for e in body["errors"]] == [
        (2, "name", "required", "第2行 姓名：必填"),
        (3, "id_number", "id_checksum", "第3行 身份证号：校验位错误"),
        (4, "phone", "phone_invalid", "第4行 手机号：应为以1开头的11位数字"),
        (5, "events", "event_unknown", "第5行 项目代号：未知项目代号“cooking”"),
        (6, "events", "team_required", "第6行 项目代号：团体项目“rescue”需要填写队名"),
        (7, "gender", "gender_invalid", "第7行 性别：应为“男”或“女”"),
        (7, "id_number", "id_duplicate", "第7行 身份证号：与第2行重复"),
    ]
    assert [row["status"] for row in body["rows"]] == ["error"] * 6 + ["new"]
    assert body["counts"]["error"] == 6


def test_import_commit_with_errors_is_refused_and_writes_nothing(api, competition):
    rows = roster_rows()
    rows[1][4] = "110105194912310021"
    response = post_import(api, competition, rows)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "import_has_errors"
    assert [error["message"] for error in body["errors"]] == ["第3行 身份证号：校验位错误"]
    assert (Organisation.objects.filter(name="渝中区总工会").count(), Contestant.objects.count()) == (0, 0)


def test_contestants_import_service_rolls_back_when_rows_have_errors(competition):
    raw_rows = imports.read_sheet(xlsx_bytes([*roster_rows(), ["渝北区总工会", "", "", "", valid_id(9), "", "", ""]]))
    with pytest.raises(roster_services.ImportRejected) as excinfo:
        roster_services.contestants_import(competition=competition, raw_rows=raw_rows)
    assert excinfo.value.code == "import_has_errors"
    assert Contestant.objects.count() == 0


def test_import_ignores_blank_rows_extra_columns_and_numeric_cells(api, competition):
    headers = [*HEADERS, "参赛号", "备注"]
    rows = [
        ["渝中区总工会", "", "张伟", "男", valid_id(1), 13900000001, "", "assembly", "A01", "x"],
        [None] * 10,
        ["渝中区总工会", "", "李娜", "女", valid_id(2).lower(), "", "", "ASSEMBLY", "", ""],
    ]
    response = post_import(api, competition, rows, headers=headers)
    assert response.status_code == 201
    assert [row["row"] for row in response.json()["rows"]] == [2, 4]
    assert Contestant.objects.get(name="张伟").phone == "13900000001"
    assert Contestant.objects.get(name="李娜").id_number == valid_id(2).upper()


def test_read_sheet_stops_after_a_long_blank_run():
    rows = [["渝中区总工会", "", "张伟", "男", valid_id(1), "", "", ""]]
    rows += [[None] * 8] * imports.MAX_BLANK_RUN
    rows += [["渝中区总工会", "", "李娜", "女", valid_id(2), "", "", ""]]
    assert [row["values"]["name"] for row in imports.read_sheet(xlsx_bytes(rows))] == ["张伟"]


def test_import_missing_required_column_is_a_file_error(api, competition):
    response = post_import(api, competition, [["渝中区总工会", "张伟"]], headers=["单位", "姓名"])
    assert response.status_code == 400
    assert response.json()["code"] == "missing_columns"
    assert response.json()["field"] == "file"
    assert response.json()["detail"] == "缺少列：身份证号。"


def test_import_file_over_size_limit_is_refused(api, competition, settings):
    settings.IMPORT_MAX_BYTES = 1000
    response = post_import(api, competition, roster_rows())
    assert response.status_code == 400
    assert response.json()["code"] == "file_too_large"
    assert Contestant.objects.count() == 0


def test_read_sheet_refuses_content_over_the_limit():
    with pytest.raises(imports.ImportFileError) as excinfo:
        imports.read_sheet(xlsx_bytes(roster_rows()), max_bytes=1024 * 1024 // 1000)
    assert (excinfo.value.code, excinfo.value.message) == ("file_too_large", "文件过大：最大 0.000999451 MB。")


def test_import_too_many_rows_is_refused(api, competition, settings):
    settings.IMPORT_MAX_ROWS = 2
    response = post_import(api, competition, roster_rows())
    assert response.status_code == 400
    assert response.json()["code"] == "too_many_rows"
    assert response.json()["detail"] == "行数过多：最多 2 行。"
    assert Contestant.objects.count() == 0


@pytest.mark.parametrize(
    "content",
    [b"not a spreadsheet", b"PK\x03\x04 broken zip", xlsx_bytes([])[:200]],
    ids=["text", "broken-zip", "truncated-xlsx"],
)
def test_import_corrupt_file_is_a_clear_400(api, competition, content):
    upload = SimpleUploadedFile("roster.xlsx", content)
    response = api.post(import_url(competition), {"file": upload})
    assert response.status_code == 400
    assert response.json()["code"] == "file_invalid"
    assert response.json()["detail"] == "无法读取文件：请上传 Excel .xlsx 文件。"


def test_import_legacy_xls_gets_a_save_as_hint(api, competition):
    upload = SimpleUploadedFile("roster.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    response = api.post(import_url(competition), {"file": upload})
    assert response.status_code == 400
    assert response.json()["code"] == "file_invalid"
    assert response.json()["detail"] == "这是旧版 .xls 文件：请在 Excel 中另存为 .xlsx 后上传。"


def test_import_refuses_xml_entity_expansion(api, competition):
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>'
    )
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(roster_rows())))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            data = bomb if item.filename == "xl/worksheets/sheet1.xml" else source.read(item.filename)
            target.writestr(item, data)
    response = api.post(import_url(competition), {"file": SimpleUploadedFile("roster.xlsx", buffer.getvalue())})
    assert response.status_code == 400
    assert response.json()["code"] == "file_invalid"


def test_import_without_file_is_400(api, competition):
    response = api.post(import_url(competition), {})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["file"]


def test_import_api_refuses_non_organiser(client, competition):
    judge = JudgeAssignmentFactory(competition=competition, role=JudgeAssignment.Role.CHIEF_JUDGE).user
    client.force_login(judge)
    response = client.post(import_url(competition, dry_run=True), {"file": xlsx_upload(roster_rows())})
    assert response.status_code == 403
    assert response.json()["code"] == "not_organiser"


def test_import_api_refuses_anonymous(client, competition):
    response = client.post(import_url(competition, dry_run=True), {"file": xlsx_upload(roster_rows())})
    assert response.status_code == 403


def test_import_api_unknown_competition_is_404(api):
    response = api.post("/api/v1/competitions/999999/import/", {"file": xlsx_upload(roster_rows())})
    assert response.status_code == 404


# Pages


def test_import_page_lists_columns_and_event_codes(api, competition):
    response = api.get(reverse("manage-import", args=[competition.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "导入参赛名单" in html
    for header in HEADERS:
        assert f"<td>{header}</td>" in html
    assert "<code>rescue</code>" in html


def test_import_page_redirects_anonymous_to_login(client, competition):
    response = client.get(reverse("manage-import", args=[competition.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_import_page_refuses_non_organiser(client, competition):
    client.force_login(UserFactory())
    assert client.get(reverse("manage-import", args=[competition.pk])).status_code == 403
    assert client.get(reverse("manage-import-template", args=[competition.pk])).status_code == 403
    assert client.post(reverse("manage-import-commit", args=[competition.pk])).status_code == 403


def test_import_page_preview_then_commit(api, competition):
    upload_url = reverse("manage-import", args=[competition.pk])
    response = api.post(upload_url, {"file": xlsx_upload(roster_rows())})
    assert response.status_code == 200
    html = response.content.decode()
    assert "导入预览" in html
    assert "新增 3 人，更新 0 人，未变 0 人，错误 0 行" in html
    assert "确认导入" in html
    assert Contestant.objects.count() == 0

    commit_url = reverse("manage-import-commit", args=[competition.pk])
    token = response.context["token"]
    response = api.post(commit_url, {"token": token})
    assert response.status_code == 200
    assert "导入完成" in response.content.decode()
    assert Contestant.objects.count() == 3
    # The pending rows are gone: a second commit has nothing to write.
    assert api.post(commit_url, {"token": token}).status_code == 400


def test_import_page_commit_refuses_a_preview_replaced_by_a_later_upload(api, competition):
    upload_url = reverse("manage-import", args=[competition.pk])
    first = api.post(upload_url, {"file": xlsx_upload(roster_rows())}).context["token"]
    api.post(upload_url, {"file": xlsx_upload(roster_rows()[:1])})
    response = api.post(reverse("manage-import-commit", args=[competition.pk]), {"token": first})
    assert response.status_code == 400
    assert "没有待导入的数据或预览已过期，请重新上传文件。" in response.content.decode()
    assert Contestant.objects.count() == 0


def test_import_page_preview_shows_row_errors_and_no_commit_button(api, competition):
    rows = roster_rows()
    rows[3 - 2][4] = "110105194912310021"
    response = api.post(reverse("manage-import", args=[competition.pk]), {"file": xlsx_upload(rows)})
    html = response.content.decode()
    assert "第3行 身份证号：校验位错误" in html
    assert "确认导入" not in html


def test_import_page_commit_refuses_when_data_changed_into_errors(api, competition):
    upload = api.post(reverse("manage-import", args=[competition.pk]), {"file": xlsx_upload(roster_rows())})
    Event.objects.filter(code="rescue").delete()  # the file now names an unknown event
    response = api.post(reverse("manage-import-commit", args=[competition.pk]), {"token": upload.context["token"]})
    assert response.status_code == 400
    assert "第2行 项目代号：未知项目代号“rescue”" in response.content.decode()
    assert Contestant.objects.count() == 0


def test_import_page_corrupt_file_shows_form_error(api, competition):
    upload = SimpleUploadedFile("roster.xlsx", b"garbage")
    response = api.post(reverse("manage-import", args=[competition.pk]), {"file": upload})
    assert response.status_code == 400
    assert "无法读取文件：请上传 Excel .xlsx 文件。" in response.content.decode()


def test_import_page_file_over_size_limit_shows_form_error(api, competition, settings):
    settings.IMPORT_MAX_BYTES = 1024
    response = api.post(reverse("manage-import", args=[competition.pk]), {"file": xlsx_upload(roster_rows())})
    assert response.status_code == 400
    assert "文件过大" in response.content.decode()
    assert Contestant.objects.count() == 0


def test_import_template_download_has_the_headers(api, competition):
    response = api.get(reverse("manage-import-template", args=[competition.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [cell.value for cell in workbook.worksheets[0][1]] == HEADERS
    notes = [row for row in workbook.worksheets[1].iter_rows(values_only=True) if row[0] in ("assembly", "rescue")]
    assert notes == [("assembly", "无人机组装与飞行", "个人"), ("rescue", "应急搜救团体赛", "团体")]
    # An untouched template imports as nothing at all.
    assert imports.read_sheet(response.content) == []


def _english_preview(competition, rows):
    raw = [
        {"row": number, "values": dict(zip([c.key for c in imports.COLUMNS], row, strict=True))}
        for number, row in enumerate(rows, start=2)
    ]
    with translation.override("en"):
        preview = imports.build_preview(competition=competition, raw_rows=raw)
        return preview.summary, [error.message for error in preview.errors]


def test_import_summary_in_english_counts_one_row_in_the_singular(competition):
    good, bad = roster_rows()[2], ["江北区总工会", "", "", "男", valid_id(4), "", "", "assembly"]
    summary, messages = _english_preview(competition, [good, bad])
    assert summary == "1 new, 0 updated, 0 unchanged, 1 row with errors"
    assert messages == ["Row 3, Name: Required"]
    summary, _messages = _english_preview(competition, [bad, [*bad[:4], valid_id(5), *bad[5:]]])
    assert summary == "0 new, 0 updated, 0 unchanged, 2 rows with errors"


def test_import_summary_in_chinese_is_unchanged(competition):
    with translation.override("zh-hans"):
        raw = [{"row": 2, "values": dict(zip([c.key for c in imports.COLUMNS], roster_rows()[2], strict=True))}]
        assert (
            imports.build_preview(competition=competition, raw_rows=raw).summary
            == "新增 1 人，更新 0 人，未变 0 人，错误 0 行"
        )
