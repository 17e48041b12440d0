"""The question bank's Excel import (preview, row errors, idempotency) and export, and question editing."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from config.errors import DomainError
from quizzes import bank
from quizzes.models import Question
from tests.factories import CompetitionFactory, UserFactory
from tests.helpers import organiser_of

pytestmark = pytest.mark.django_db

HEADER = ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "选项E", "选项F", "答案", "分类", "难度", "解析"]


def _xlsx(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _row(
    kind="单选题",
    stem="《工会法》规定，工会是什么组织？",
    options=("职工自愿结合的工人阶级群众组织", "行政机关", "企业", "社会团体"),
    answer="A",
    category="工会知识",
    difficulty="易",
    explanation="《工会法》第二条。",
):
    options = list(options) + [""] * (6 - len(options))
    return [kind, stem, *options, answer, category, difficulty, explanation]


@pytest.fixture
def competition():
    return CompetitionFactory()


def test_import_of_ten_thousand_generated_questions_is_correct_and_idempotent(competition):
    kinds = ["单选题", "多选题", "判断题", "填空题"]
    rows = []
    for number in range(10_000):
        kind = kinds[number % 4]
        if kind == "单选题":
            rows.append(_row(stem=f"第{number}题 单选", answer="C", difficulty="中"))
        elif kind == "多选题":
            rows.append(_row(kind=kind, stem=f"第{number}题 多选", answer="A、B、D", difficulty="难"))
        elif kind == "判断题":
            rows.append(_row(kind=kind, stem=f"第{number}题 判断", options=(), answer="错误"))
        else:
            rows.append(_row(kind=kind, stem=f"第{number}题 填空", options=(), answer="工会 | 工会组织"))
    content = _xlsx(rows)

    first = bank.questions_import(competition=competition, raw_rows=bank.read_bank(content))
    second = bank.questions_import(competition=competition, raw_rows=bank.read_bank(content))

    assert first.counts == {"new": 10_000, "updated": 0, "unchanged": 0, "error": 0, "rows": 10_000}
    assert second.counts == {"new": 0, "updated": 0, "unchanged": 10_000, "error": 0, "rows": 10_000}
    assert Question.objects.filter(competition=competition).count() == 10_000
    by_stem = {question.stem: question for question in Question.objects.filter(competition=competition)}
    assert (by_stem["第1题 多选"].answer, by_stem["第1题 多选"].difficulty) == ("ABD", 3)
    assert (by_stem["第2题 判断"].answer, by_stem["第2题 判断"].options) == ("B", [])
    assert by_stem["第3题 填空"].answer == "工会|工会组织"
    assert by_stem["第4题 单选"].options == ["职工自愿结合的工人阶级群众组织", "行政机关", "企业", "社会团体"]


def test_preview_reports_each_bad_row_and_the_commit_writes_nothing(competition):
    rows = [
        _row(),
        _row(kind="问答题", stem="第二题"),
        _row(stem="第三题", answer="E"),
        _row(kind="多选题", stem="第四题", answer="B"),
        _row(kind="判断题", stem="第五题", options=(), answer="也许"),
        _row(stem="《工会法》规定，工会是什么组织？"),
        _row(stem="第七题", difficulty="超难"),
    ]
    raw = bank.read_bank(_xlsx(rows))

    preview, _existing = bank.build_preview(competition=competition, raw_rows=raw)

    assert [(error["row"], error["column"]) for error in preview.errors] == [
        (3, "题型"),
        (4, "答案"),
        (5, "答案"),
        (6, "答案"),
        (7, "题干"),
        (8, "难度"),
    ]
    assert preview.errors[4]["message"] == "第7行 题干：与第2行题干重复"
    with pytest.raises(DomainError) as excinfo:
        bank.questions_import(competition=competition, raw_rows=raw)
    assert excinfo.value.code == "import_has_errors"
    assert Question.objects.count() == 0


def test_reimport_updates_a_corrected_answer_by_stem(competition):
    bank.questions_import(competition=competition, raw_rows=bank.read_bank(_xlsx([_row(answer="B")])))

    preview = bank.questions_import(
        competition=competition,
        raw_rows=bank.read_bank(_xlsx([_row(stem=" 《工会法》规定，工会是 什么组织？", answer="A")])),
    )

    assert preview.counts["updated"] == 1
    assert list(Question.objects.values_list("answer", flat=True)) == ["A"]


def test_export_imports_back_unchanged(competition):
    rows = [
        _row(),
        _row(kind="判断题", stem="安全生产法适用于所有生产经营单位。", options=(), answer="正确"),
        _row(kind="填空题", stem="职工代表大会简称____。", options=(), answer="职代会"),
    ]
    bank.questions_import(competition=competition, raw_rows=bank.read_bank(_xlsx(rows)))

    exported = bank.bank_xlsx(competition)
    sheet = load_workbook(io.BytesIO(exported)).active
    again = bank.questions_import(competition=competition, raw_rows=bank.read_bank(exported))

    assert [cell.value for cell in sheet[1]] == [*HEADER, "分值"]
    assert again.counts == {"new": 0, "updated": 0, "unchanged": 3, "error": 0, "rows": 3}


def test_upload_preview_and_commit_pages(client, competition):
    client.force_login(organiser_of(competition))
    upload = io.BytesIO(_xlsx([_row(), _row(stem="第二题", answer="D")]))
    upload.name = "bank.xlsx"

    preview = client.post(f"/manage/quiz/competitions/{competition.pk}/bank/upload/", {"file": upload})
    token = client.session[f"quiz_bank_import:{competition.pk}"]["token"]
    committed = client.post(f"/manage/quiz/competitions/{competition.pk}/bank/commit/", {"token": token})
    page = client.get(committed["Location"])

    assert preview.status_code == 200
    assert "新增 2 题，更新 0 题，未变 0 题，错误 0 行" in preview.content.decode()
    assert Question.objects.filter(competition=competition).count() == 2
    assert "新增 2 题" in page.content.decode()


def test_bank_pages_are_for_organisers_only(client, competition):
    client.force_login(UserFactory())

    assert client.get(f"/manage/quiz/competitions/{competition.pk}/").status_code == 403
    assert client.get(f"/manage/quiz/competitions/{competition.pk}/bank/export/").status_code == 403


def test_question_edit_page_checks_like_the_import(client, competition):
    client.force_login(organiser_of(competition))
    url = f"/manage/quiz/competitions/{competition.pk}/questions/new/"
    form = {
        "kind": "single",
        "stem": "安全生产工作应当以人为本，坚持什么？",
        "options_text": "安全第一\n效益优先",
        "answer": "C",
        "category": "安全生产",
        "difficulty": 2,
        "points": 5,
        "explanation": "",
        "active": "on",
    }

    refused = client.post(url, form)
    saved = client.post(url, dict(form, answer="A"))

    assert refused.status_code == 200
    assert "答案应为选项字母" in refused.content.decode()
    assert saved.status_code == 302
    question = Question.objects.get(competition=competition)
    assert (question.options, question.answer, question.stem_key) == (
        ["安全第一", "效益优先"],
        "A",
        bank.stem_key(form["stem"]),
    )
