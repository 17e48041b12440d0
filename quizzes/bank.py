"""The question bank's Excel import and export, in the layout unions already use.

Columns: 题型, 题干, 选项A…选项F, 答案, 分类, 难度, 解析 (and an optional 分值). The file is read
by the roster import's reader (``competitions.imports.read_sheet`` with this module's
columns) and checked the same way: every row comes out new, updated, unchanged or error, and
the commit (``questions_import``) checks again inside its transaction and writes only if no
row has an error. The natural key is the stem: a question is the same question when its
stem (whitespace ignored) is the same in the same competition, so importing a file twice
creates nothing the second time, and a corrected answer or explanation updates the question.

Writes are ``bulk_create``/``bulk_update`` in batches, one query for the existing bank: 10,000
rows import in a few seconds (``bench/quiz_import.py``).
"""

import hashlib
import io
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from competitions.imports import Column, read_sheet
from competitions.models import Competition
from config.errors import error
from config.text import text_problem
from quizzes import papers
from quizzes.models import Question

MAX_ROWS = 20000
# A question stem or explanation may be a paragraph (the roster allows 200 characters a cell).
MAX_CELL_CHARS = 2000
OPTION_KEYS = [f"option_{letter.lower()}" for letter in papers.LETTERS]
COLUMNS = [
    Column("kind", "题型", required=True),
    Column("stem", "题干", required=True),
    *[Column(key, f"选项{letter}", max_length=500) for key, letter in zip(OPTION_KEYS, papers.LETTERS, strict=True)],
    Column("answer", "答案", required=True, max_length=500),
    Column("category", "分类", max_length=60),
    Column("difficulty", "难度"),
    Column("explanation", "解析"),
    Column("points", "分值"),
]
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}
KINDS = {
    "单选": Question.Kind.SINGLE,
    "单选题": Question.Kind.SINGLE,
    "单项选择题": Question.Kind.SINGLE,
    "多选": Question.Kind.MULTIPLE,
    "多选题": Question.Kind.MULTIPLE,
    "多项选择题": Question.Kind.MULTIPLE,
    "判断": Question.Kind.TRUE_FALSE,
    "判断题": Question.Kind.TRUE_FALSE,
    "填空": Question.Kind.FILL,
    "填空题": Question.Kind.FILL,
}
KIND_LABELS = {
    Question.Kind.SINGLE: "单选题",
    Question.Kind.MULTIPLE: "多选题",
    Question.Kind.TRUE_FALSE: "判断题",
    Question.Kind.FILL: "填空题",
}
DIFFICULTIES = {"易": 1, "简单": 1, "1": 1, "中": 2, "中等": 2, "2": 2, "难": 3, "困难": 3, "3": 3, "": 2}
DIFFICULTY_LABELS = {1: "易", 2: "中", 3: "难"}
TRUE_WORDS = {"正确", "对", "√", "是", "A", "T", "TRUE"}
FALSE_WORDS = {"错误", "错", "×", "X", "否", "B", "F", "FALSE"}
LETTER_SEPARATORS = re.compile(r"[\s,，、;；]+")
_SPACES = re.compile(r"\s+")
WRITTEN = ("kind", "options", "answer", "category", "difficulty", "points", "explanation")


def stem_key(stem: str) -> str:
    return hashlib.sha256(_SPACES.sub("", stem).encode()).hexdigest()


@dataclass
class RowPreview:
    row: int
    values: dict
    status: str = "new"
    errors: list[dict] = field(default_factory=list)
    fields: dict = field(default_factory=dict)
    key: str = ""

    def add_error(self, key: str, reason: str):
        column = COLUMNS_BY_KEY[key].header
        self.errors.append(
            {
                "row": self.row,
                "field": key,
                "column": column,
                "message": _("第%(row)s行 %(column)s：%(reason)s")
                % {"row": self.row, "column": column, "reason": reason},
            }
        )
        self.status = "error"


@dataclass
class BankPreview:
    rows: list[RowPreview]

    @property
    def errors(self) -> list[dict]:
        return [item for row in self.rows for item in row.errors]

    @property
    def counts(self) -> dict:
        counts = {"new": 0, "updated": 0, "unchanged": 0, "error": 0}
        for row in self.rows:
            counts[row.status] += 1
        counts["rows"] = len(self.rows)
        return counts

    @property
    def summary(self) -> str:
        counts = self.counts
        return (
            ngettext(
                "新增 %(new)s 题，更新 %(updated)s 题，未变 %(unchanged)s 题，错误 %(error)s 行",
                "新增 %(new)s 题，更新 %(updated)s 题，未变 %(unchanged)s 题，错误 %(error)s 行",
                counts["error"],
            )
            % counts
        )


def read_bank(content: bytes) -> list[dict]:
    """Raw rows of an uploaded bank (``competitions.imports.ImportFileError`` for a file that cannot be read)."""
    # Questions and explanations run longer than a roster's cells.
    return read_sheet(content, max_rows=MAX_ROWS, columns=COLUMNS, max_cell_chars=MAX_CELL_CHARS)


def _letters(text: str) -> str:
    return "".join(sorted(set(LETTER_SEPARATORS.sub("", text).upper())))


def check_row(row: RowPreview) -> None:
    """Check one row (of a file or of the organiser's form) and, if it is valid, fill ``row.fields``."""
    values = row.values
    kind = KINDS.get(values.get("kind", "").strip())
    if kind is None:
        row.add_error("kind", _("题型应为单选题、多选题、判断题或填空题"))
    stem = values.get("stem", "").strip()
    if not stem:
        row.add_error("stem", _("必须填写"))
    options = [values.get(key, "").strip() for key in OPTION_KEYS]
    while options and not options[-1]:
        options.pop()
    answer_text = values.get("answer", "").strip()
    answer = ""
    if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        if len(options) < 2 or not all(options):
            row.add_error("option_a", _("选择题至少需要两个选项，且选项之间不能有空缺"))
        answer = _letters(answer_text)
        valid = papers.LETTERS[: len(options)]
        if not answer or any(letter not in valid for letter in answer):
            row.add_error("answer", _("答案应为选项字母，如 B 或 ACD"))
        elif kind == Question.Kind.SINGLE and len(answer) != 1:
            row.add_error("answer", _("单选题只能有一个答案"))
        elif kind == Question.Kind.MULTIPLE and len(answer) < 2:
            row.add_error("answer", _("多选题至少有两个答案"))
    elif kind == Question.Kind.TRUE_FALSE:
        options = []
        word = answer_text.upper()
        answer = "A" if word in TRUE_WORDS else "B" if word in FALSE_WORDS else ""
        if not answer:
            row.add_error("answer", _("判断题答案应为“正确”或“错误”"))
    elif kind == Question.Kind.FILL:
        options = []
        answer = "|".join(part for part in papers.FILL_SEPARATORS.split(answer_text) if part)
        if not answer:
            row.add_error("answer", _("必须填写"))
    difficulty = DIFFICULTIES.get(values.get("difficulty", "").strip())
    if difficulty is None:
        row.add_error("difficulty", _("难度应为易、中或难"))
    points_text = values.get("points", "").strip() or "5"
    if not (points_text.isascii() and points_text.isdigit()) or not 0 < int(points_text) <= 100:
        row.add_error("points", _("分值应为1到100的整数"))
    for key in ("category",):
        limit = COLUMNS_BY_KEY[key].max_length
        if len(values.get(key, "")) > limit:
            row.add_error(key, _("最多 %(limit)s 个字") % {"limit": limit})
    for key, value in values.items():
        char = text_problem(value, line=key == "category")
        if char:
            row.add_error(key, _("含有不允许的字符（%(char)s）") % {"char": char})
    if row.errors:
        return
    row.key = stem_key(stem)
    row.fields = {
        "kind": kind,
        "stem": stem,
        "options": options,
        "answer": answer,
        "category": values.get("category", "").strip(),
        "difficulty": difficulty,
        "points": int(points_text),
        "explanation": values.get("explanation", "").strip(),
    }


def build_preview(*, competition: Competition, raw_rows: list[dict]) -> tuple[BankPreview, dict[str, Question]]:
    """Check every row and compare it with the bank by stem; also returns the existing questions by key."""
    existing = {question.stem_key: question for question in Question.objects.filter(competition=competition)}
    seen: dict[str, int] = {}
    rows = []
    for raw in raw_rows:
        row = RowPreview(raw["row"], raw["values"])
        check_row(row)
        if not row.errors:
            if row.key in seen:
                row.add_error("stem", _("与第%(row)s行题干重复") % {"row": seen[row.key]})
            else:
                seen[row.key] = row.row
                current = existing.get(row.key)
                if current is not None:
                    same = all(getattr(current, name) == row.fields[name] for name in WRITTEN)
                    row.status = "unchanged" if same and current.active else "updated"
        rows.append(row)
    return BankPreview(rows), existing


@transaction.atomic
def questions_import(*, competition: Competition, raw_rows: list[dict]) -> BankPreview:
    """Write the bank rows, all or nothing: 400 ``import_has_errors`` (with the row errors) if any row is wrong."""
    preview, existing = build_preview(competition=competition, raw_rows=raw_rows)
    if preview.errors:
        raise error("import_has_errors", count=len(preview.errors), extra={"errors": preview.errors[:200]})
    new, changed = [], []
    for row in preview.rows:
        if row.status == "new":
            new.append(Question(competition=competition, stem_key=row.key, **row.fields))
        elif row.status == "updated":
            question = existing[row.key]
            for name, value in row.fields.items():
                setattr(question, name, value)
            question.active = True
            changed.append(question)
    Question.objects.bulk_create(new, batch_size=1000)
    Question.objects.bulk_update(changed, [*WRITTEN, "stem", "active"], batch_size=1000)
    return preview


def _cell(sheet, value, *, font=None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # a stem is never a formula
    if font:
        cell.font = font
    return cell


def bank_xlsx(competition: Competition) -> bytes:
    """The bank in the import's own layout: exporting and importing back changes nothing."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("题库"))
    bold = Font(bold=True)
    sheet.append([_cell(sheet, column.header, font=bold) for column in COLUMNS])
    for question in Question.objects.filter(competition=competition, active=True).order_by("id").iterator():
        options = list(question.options) + [""] * (len(OPTION_KEYS) - len(question.options))
        answer = question.answer
        if question.kind == Question.Kind.TRUE_FALSE:
            answer = "正确" if answer == "A" else "错误"
        row = [
            KIND_LABELS[question.kind],
            question.stem,
            *options,
            answer,
            question.category,
            DIFFICULTY_LABELS[question.difficulty],
            question.explanation,
            question.points,
        ]
        sheet.append([_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def question_save(*, question: Question, fields: dict) -> Question:
    """Save an edited question (the organiser's form), keeping the stem key in step with the stem."""
    for name, value in fields.items():
        setattr(question, name, value)
    question.stem_key = stem_key(question.stem)
    question.save()
    return question
