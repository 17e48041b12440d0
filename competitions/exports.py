"""Roster export to .xlsx, in the import's own column layout.

There is one row per contestant. 项目代号 lists the contestant's individual events and
the team events of their team, so exporting a competition and importing the file back
changes nothing. The extra 参赛号 and 赛位号 columns are for people to read, and the
importer ignores them. A team entered in a team event with no member in the roster
has no row, because the layout has no place for it.
"""

import io
from collections import defaultdict

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from competitions.imports import COLUMNS, GENDER_LABELS, READ_ONLY_HEADERS
from competitions.models import Competition, Entry

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT_KEYS = {"id_number", "phone"}  # kept as text so Excel does not turn 18 digits into 1.1E+17
WIDTHS = {"organisation": 24, "team": 18, "name": 10, "gender": 6, "id_number": 22, "phone": 14, "job_title": 14}


def _workbook(title: str, rows: list[list[str]], *, extra_headers=()) -> Workbook:
    # Write-only mode streams rows; the normal mode recomputes sheet bounds and is quadratic in rows.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(column.key, 16)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    headers = [column.header for column in COLUMNS] + list(extra_headers)
    sheet.append([_cell(sheet, header, font=bold) for header in headers])
    text_positions = {index for index, column in enumerate(COLUMNS) if column.key in TEXT_KEYS}
    for row in rows:
        sheet.append([_cell(sheet, value, text=index in text_positions) for index, value in enumerate(row)])
    return workbook


def _cell(sheet, value, *, font=None, text=False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # openpyxl would write it as a formula; a name is never one
    if font:
        cell.font = font
    if text:
        cell.number_format = "@"
    return cell


def _to_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def roster_rows(competition: Competition) -> list[list[str]]:
    """The export's rows: import columns, then 参赛号 and 赛位号 (joined with 、 over events)."""
    entries = (
        Entry.objects.filter(event__competition=competition)
        .select_related("event")
        .order_by("event__position", "event_id", "id")
    )
    by_contestant, by_team = defaultdict(list), defaultdict(list)
    for entry in entries:
        if entry.contestant_id:
            by_contestant[entry.contestant_id].append(entry)
        else:
            by_team[entry.team_id].append(entry)
    contestants = competition.contestants.select_related("organisation", "team").order_by(
        "organisation__name", "team__name", "id"
    )
    rows = []
    for contestant in contestants:
        own = by_contestant[contestant.id] + (by_team[contestant.team_id] if contestant.team_id else [])
        own.sort(key=lambda entry: (entry.event.position, entry.event_id))
        rows.append(
            [
                contestant.organisation.name,
                contestant.team.name if contestant.team else "",
                contestant.name,
                GENDER_LABELS.get(contestant.gender, ""),
                contestant.id_number,
                contestant.phone,
                contestant.job_title,
                "、".join(entry.event.code for entry in own),
                "、".join(entry.code for entry in own if entry.code),
                "、".join(str(entry.station) for entry in own if entry.station is not None),
            ]
        )
    return rows


def roster_xlsx(competition: Competition) -> bytes:
    return _to_bytes(_workbook(_("参赛名单"), roster_rows(competition), extra_headers=READ_ONLY_HEADERS))


def template_xlsx(competition: Competition) -> bytes:
    """An empty roster with the headers, and a second sheet explaining columns and event codes."""
    workbook = _workbook(_("参赛名单"), [])
    notes = workbook.create_sheet(_("填写说明"))
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["B"].width = 24
    notes.column_dimensions["C"].width = 40
    notes.append([_("列名"), _("必填"), _("说明")])
    explanations = {
        "organisation": _("参赛单位全称；系统中没有的单位会自动创建"),
        "team": _("参赛队名称；团体项目必填"),
        "name": _("选手姓名"),
        "gender": _("男 或 女"),
        "id_number": _("18位居民身份证号，末位可为X"),
        "phone": _("11位手机号"),
        "job_title": _("岗位或工种"),
        "events": _("报名项目的代号，多个用逗号或顿号分隔"),
    }
    for column in COLUMNS:
        notes.append([column.header, _("是") if column.required else "", explanations[column.key]])
    notes.append([])
    notes.append([_("项目代号"), _("项目名称"), _("类型")])
    for event in competition.events.all():
        notes.append([event.code, event.title, event.get_kind_display()])
    return _to_bytes(workbook)
