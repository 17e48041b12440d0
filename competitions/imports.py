"""Roster import from .xlsx: parsing, row-by-row validation and the preview.

The import runs in two steps. ``read_sheet`` turns the uploaded bytes into raw rows.
These are plain strings keyed by column, so they can wait in the session between the
preview and the commit. ``build_preview`` checks every row and compares it with the
database on natural keys:

- an Organisation by name;
- a Team by (competition, name);
- a Contestant by (competition, id_number);
- an Entry by (event, contestant) or (event, team).

Each row comes out new, updated, unchanged or error. ``competitions.roster_services.contestants_import``
builds the preview again inside one transaction and writes it only if no row has an error.
So the same file imported twice creates nothing the second time.

The file is authoritative for the columns it has. A blank optional cell clears that
field, and a missing column leaves it alone. Entries are only added, never removed.
openpyxl parses the XML through defusedxml, which is installed (see tests).

A hostile file must not exhaust the server: the upload limit applies to the compressed
bytes, and an .xlsx is a zip of XML, so 300 KB can hold a 300 MB string. Before
openpyxl sees the file, ``check_archive`` reads the zip's directory (the entry count from
the end record, before the directory itself is parsed; then every entry's declared size
and compression ratio; zipfile refuses an entry whose data outgrows its declared size) and
then streams every XML part once through an expat (SAX) scan that keeps no tree: it
refuses too many shared strings, a row of too many cells and any text longer than an
Excel cell can hold, each as soon as it is seen. Only then does openpyxl read the sheet,
in read-only (streaming) mode, with a row cap and a cell-length cap. The limits are
settings (``IMPORT_MAX_*``, docs/SECURITY.md); tests/competitions/test_import_hostile.py
measures the peak memory of the worst files we could craft.
"""

import io
import re
import xml.sax.handler
import zipfile
from dataclasses import dataclass, field

import defusedxml.sax
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from openpyxl import load_workbook

from competitions.models import Competition, Contestant, Entry, Event, Organisation
from competitions.validators import id_number_error
from config.errors import message
from config.text import text_problem

DEFAULT_MAX_ROWS = 5000
MAX_BLANK_RUN = 1000
MAX_COLUMNS = 64  # far more than the layout has; bounds the work per row of a hostile file
# The longest text a cell can hold in Excel: anything longer did not come from a spreadsheet program.
EXCEL_MAX_CELL_CHARS = 32767
SCAN_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Column:
    """One column of an import sheet. ``header`` is the file's own (Chinese) column name, the format's
    contract in every language; ``label`` says it in the reader's language on pages and in messages."""

    key: str
    header: str
    required: bool = False
    max_length: int | None = None
    label: str | None = None

    @property
    def name(self) -> str:
        return str(self.label) if self.label else self.header


COLUMNS = [
    Column(
        "organisation",
        "单位",
        required=True,
        max_length=Organisation._meta.get_field("name").max_length,
        label=gettext_lazy("单位"),
    ),
    Column("team", "队名", max_length=120, label=gettext_lazy("队名")),
    Column(
        "name",
        "姓名",
        required=True,
        max_length=Contestant._meta.get_field("name").max_length,
        label=gettext_lazy("姓名"),
    ),
    Column("gender", "性别", label=gettext_lazy("性别")),
    Column("id_number", "身份证号", required=True, label=gettext_lazy("身份证号")),
    Column("phone", "手机号", label=gettext_lazy("手机号")),
    Column(
        "job_title",
        "岗位/工种",
        max_length=Contestant._meta.get_field("job_title").max_length,
        label=gettext_lazy("岗位/工种"),
    ),
    Column("events", "项目代号", label=gettext_lazy("项目代号")),
]
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}
COLUMNS_BY_HEADER = {column.header: column for column in COLUMNS}
# Written by the export for people to read; the importer ignores them.
READ_ONLY_HEADERS = ["参赛号", "赛位号"]

GENDERS = {"男": Contestant.Gender.MALE, "女": Contestant.Gender.FEMALE}
GENDER_LABELS = {value: label for label, value in GENDERS.items()}
EVENT_CODE_SEPARATORS = re.compile(r"[,，、;；\s]+")
PHONE = re.compile(r"1\d{10}")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and other OLE2 files)


class ImportFileError(Exception):
    """The file as a whole cannot be read. ``code`` is stable; the message is for people."""

    def __init__(self, message, *, code):
        super().__init__(message)
        self.message = message
        self.code = code


def split_event_codes(value: str) -> list[str]:
    codes = []
    for code in EVENT_CODE_SEPARATORS.split(value):
        if code and code not in codes:
            codes.append(code)
    return codes


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _too_large(max_bytes: int) -> ImportFileError:
    return ImportFileError(
        _("文件过大：最大 %(limit)s MB。") % {"limit": f"{max_bytes / 1024 / 1024:g}"}, code="file_too_large"
    )


def read_upload(upload, columns: list[Column] | None = None, **options) -> list[dict]:
    """``read_sheet`` for an uploaded file, refused on its declared size before it is read into memory."""
    if upload.size > settings.IMPORT_MAX_BYTES:
        raise _too_large(settings.IMPORT_MAX_BYTES)
    return read_sheet(upload.read(), columns=columns, **options)


def _unreadable() -> ImportFileError:
    return ImportFileError(_("无法读取文件：请上传 Excel .xlsx 文件。"), code="file_invalid")


def _unpacked_too_large() -> ImportFileError:
    return ImportFileError(
        _("文件解压后过大（最大 %(limit)s MB）：请删除多余的工作表、图片和格式后重试。")
        % {"limit": f"{settings.IMPORT_MAX_UNPACKED_BYTES / 1024 / 1024:g}"},
        code="file_unpacked_too_large",
    )


def _declared_entries(content: bytes) -> int | None:
    """The entry count in the zip's end record, read before zipfile parses the directory it announces."""
    tail = content[-(22 + 0xFFFF) :]
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return None  # not a zip: zipfile says so below
    return int.from_bytes(tail[at + 10 : at + 12], "little")  # 0xFFFF (zip64) counts as too many


class _PartScan(xml.sax.handler.ContentHandler):
    """Counts what a streaming parser could still be made to hold: strings, cells in a row, text length."""

    def __init__(self, *, max_strings: int, max_row_cells: int):
        super().__init__()
        self.max_strings, self.max_row_cells = max_strings, max_row_cells
        self.strings = self.row_cells = self.text = 0

    @staticmethod
    def _local(name: str) -> str:
        return name.rpartition(":")[2]

    def startElement(self, name, attrs):
        tag = self._local(name)
        self.text = 0
        if tag == "si":
            self.strings += 1
            if self.strings > self.max_strings:
                raise ImportFileError(
                    _("文件中的文字过多（最多 %(limit)s 个不同的单元格文字）。") % {"limit": self.max_strings},
                    code="file_too_many_strings",
                )
        elif tag == "row":
            self.row_cells = 0
        elif tag == "c":
            self.row_cells += 1
            if self.row_cells > self.max_row_cells:
                raise ImportFileError(
                    _("一行中的单元格过多（最多 %(limit)s 个）。") % {"limit": self.max_row_cells},
                    code="file_row_too_wide",
                )

    def characters(self, content):
        self.text += len(content)
        if self.text > EXCEL_MAX_CELL_CHARS:
            raise ImportFileError(
                _("单元格内容过长：最多 %(limit)s 个字。") % {"limit": settings.IMPORT_MAX_CELL_CHARS},
                code="cell_too_long",
            )

    def endElement(self, name):
        self.text = 0


def check_archive(content: bytes) -> None:
    """Refuse a zip that would cost too much to read, before anything is decompressed into memory.

    Raises ``ImportFileError``: ``file_invalid`` (not a zip), ``file_too_many_parts``,
    ``file_unpacked_too_large`` (declared total, one part's compression ratio, or the shared
    strings), ``file_too_many_strings``, ``file_row_too_wide``, ``cell_too_long``. Costs one
    streaming pass over the XML, bounded by ``IMPORT_MAX_UNPACKED_BYTES``.
    """
    entries = _declared_entries(content)
    if entries is not None and entries > settings.IMPORT_MAX_PARTS:
        raise ImportFileError(
            _("文件包含的部件过多（最多 %(limit)s 个）。") % {"limit": settings.IMPORT_MAX_PARTS},
            code="file_too_many_parts",
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise _unreadable() from exc
    if len(infos) > settings.IMPORT_MAX_PARTS:
        raise ImportFileError(
            _("文件包含的部件过多（最多 %(limit)s 个）。") % {"limit": settings.IMPORT_MAX_PARTS},
            code="file_too_many_parts",
        )
    if sum(info.file_size for info in infos) > settings.IMPORT_MAX_UNPACKED_BYTES:
        raise _unpacked_too_large()
    for info in infos:
        # Spreadsheet XML compresses about 10:1; far more is a bomb. Small parts may compress better.
        if info.file_size > 1024 * 1024 and info.file_size > info.compress_size * settings.IMPORT_MAX_COMPRESSION_RATIO:
            raise _unpacked_too_large()
        if info.filename.lower().endswith("sharedstrings.xml") and info.file_size > settings.IMPORT_MAX_STRINGS_BYTES:
            raise _unpacked_too_large()
    scan = _PartScan(max_strings=settings.IMPORT_MAX_STRINGS, max_row_cells=settings.IMPORT_MAX_ROW_CELLS)
    with archive:
        for info in infos:
            if info.filename.lower().endswith((".xml", ".rels")):
                _scan_part(archive, info, scan)


def _scan_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, scan: _PartScan) -> None:
    parser = defusedxml.sax.make_parser()  # refuses DTDs and entities, like openpyxl's own parsing
    parser.setContentHandler(scan)
    scan.strings = scan.row_cells = scan.text = 0
    try:
        with archive.open(info) as part:
            while chunk := part.read(SCAN_CHUNK):
                parser.feed(chunk)
        parser.close()
    except ImportFileError:
        raise
    except Exception as exc:  # bad XML, a DTD, a CRC or size mismatch: all mean an unreadable file
        raise _unreadable() from exc


def read_sheet(
    content: bytes,
    *,
    max_bytes: int | None = None,
    max_rows: int | None = None,
    columns: list[Column] | None = None,
    max_cell_chars: int | None = None,
) -> list[dict]:
    """Raw rows of the first sheet: ``[{"row": 2, "values": {"name": "张三", …}}, …]``.

    Only columns present in the header row appear in ``values``. Blank rows are
    skipped. Raises ``ImportFileError`` for a file that is too large (packed or
    unpacked, see ``check_archive``), unreadable, empty, missing a required column,
    longer than ``max_rows`` data rows, or with a cell over ``IMPORT_MAX_CELL_CHARS``.
    ``columns`` is the roster layout unless another importer (a dive list, the quiz bank) passes its own;
    ``max_cell_chars`` (default ``IMPORT_MAX_CELL_CHARS``) lets one with long texts (explanations) allow more.
    """
    max_bytes = settings.IMPORT_MAX_BYTES if max_bytes is None else max_bytes
    max_rows = getattr(settings, "IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS) if max_rows is None else max_rows
    if len(content) > max_bytes:
        raise _too_large(max_bytes)
    if content.startswith(OLE_MAGIC):
        raise ImportFileError(_("这是旧版 .xls 文件：请在 Excel 中另存为 .xlsx 后上传。"), code="file_invalid")
    check_archive(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types on a bad file; all mean the same to the user
        raise _unreadable() from exc
    try:
        max_chars = settings.IMPORT_MAX_CELL_CHARS if max_cell_chars is None else max_cell_chars
        return (
            _read_rows(workbook.worksheets[0], max_rows, columns or COLUMNS, max_chars) if workbook.worksheets else []
        )
    except ImportFileError:
        raise
    except Exception as exc:  # a broken sheet inside a valid zip
        raise _unreadable() from exc
    finally:
        workbook.close()


def _read_rows(sheet, max_rows: int, columns: list[Column], max_chars: int) -> list[dict]:
    rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
    header = next(rows, None)
    if header is None:
        raise ImportFileError(_("文件是空的：第1行应为列名。"), code="file_empty")
    by_header = {column.header: column for column in columns}
    positions = {}
    for index, title in enumerate(header):
        column = by_header.get(_cell_text(title))
        if column and column.key not in positions:
            positions[column.key] = index
    missing = [column.header for column in columns if column.required and column.key not in positions]
    if missing:
        raise ImportFileError(
            _("缺少列：%(columns)s。") % {"columns": "、".join(missing)},
            code="missing_columns",
        )
    raw_rows, blank_run = [], 0
    by_key = {column.key: column for column in columns}
    for number, cells in enumerate(rows, start=2):
        values = {key: _cell_text(cells[index]) if index < len(cells) else "" for key, index in positions.items()}
        for key, value in values.items():
            if len(value) > max_chars:
                # Refused, not cut: a cell this long is not a name or a code, and the rows wait in the session.
                raise ImportFileError(
                    _("第%(row)s行 %(column)s：单元格内容过长，最多 %(limit)s 个字。")
                    % {"row": number, "column": by_key[key].name, "limit": max_chars},
                    code="cell_too_long",
                )
        if not any(values.values()):
            # Sheets are often formatted far below the data; a long blank run is the end of it.
            blank_run += 1
            if blank_run >= MAX_BLANK_RUN:
                break
            continue
        blank_run = 0
        if len(raw_rows) >= max_rows:
            raise ImportFileError(
                _("行数过多：最多 %(limit)s 行。") % {"limit": max_rows},
                code="too_many_rows",
            )
        raw_rows.append({"row": number, "values": values})
    return raw_rows


@dataclass
class SheetRow:
    """One row of a simple import (every cell text) with its problems, as the API reports them.

    ``headers`` maps a column key to its header (the sheet's own words), so a problem names
    the row and the column a person will look for. Used by the scoring imports (dive lists,
    measured marks); ``sheet_rows_body`` is the preview or import body they share.
    """

    row: int
    values: dict
    headers: dict
    errors: list[dict] = field(default_factory=list)

    def add_error(self, key: str, code: str) -> None:
        column = self.headers[key]
        self.errors.append(
            {
                "row": self.row,
                "field": key,
                "column": column,
                "code": code,
                "message": _("第%(row)s行 %(column)s：%(reason)s")
                % {"row": self.row, "column": column, "reason": message(code)},
            }
        )


def sheet_rows_body(rows: list[SheetRow], *, dry_run: bool) -> dict:
    """``{"dry_run", "counts", "rows", "errors"}`` for a preview (or an import) of ``SheetRow``s."""
    errors = [problem for row in rows for problem in row.errors]
    return {
        "dry_run": dry_run,
        "counts": {"rows": len(rows), "error": sum(1 for row in rows if row.errors)},
        "rows": [{"row": row.row, "values": row.values, "errors": row.errors} for row in rows],
        "errors": errors,
    }


@dataclass
class RowError:
    row: int
    field: str
    code: str
    reason: str

    @property
    def column(self) -> str:
        return COLUMNS_BY_KEY[self.field].header

    @property
    def label(self) -> str:
        return COLUMNS_BY_KEY[self.field].name

    @property
    def message(self) -> str:
        return _("第%(row)s行 %(column)s：%(reason)s") % {"row": self.row, "column": self.label, "reason": self.reason}

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "column": self.column, "code": self.code, "message": self.message}


@dataclass
class RowPreview:
    """One checked row, with what committing it would do."""

    row: int
    values: dict
    status: str = "new"
    errors: list[RowError] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    contestant: Contestant | None = None
    events: list[Event] = field(default_factory=list)
    # (event, None) for an individual entry to create, (event, team_name) for a team entry.
    new_entries: list[tuple[Event, str | None]] = field(default_factory=list)

    @property
    def cells(self) -> list[str]:
        return [self.values.get(column.key, "") for column in COLUMNS]

    @property
    def changed_labels(self) -> list[str]:
        """``changes`` (the file's column names) in the reader's language."""
        return [COLUMNS_BY_HEADER[header].name if header in COLUMNS_BY_HEADER else header for header in self.changes]

    def add_error(self, key, code, reason):
        self.errors.append(RowError(self.row, key, code, reason))

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "status": self.status,
            "values": self.values,
            "changes": self.changes,
            "errors": [error.as_dict() for error in self.errors],
        }


STATUSES = ("new", "updated", "unchanged", "error")


@dataclass
class ImportPreview:
    rows: list[RowPreview]
    organisations_new: list[str] = field(default_factory=list)
    teams_new: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[RowError]:
        return [error for row in self.rows for error in row.errors]

    @property
    def has_errors(self) -> bool:
        return any(row.errors for row in self.rows)

    @property
    def counts(self) -> dict:
        counts = dict.fromkeys(STATUSES, 0)
        for row in self.rows:
            counts[row.status] += 1
        counts["rows"] = len(self.rows)
        counts["organisations_new"] = len(self.organisations_new)
        counts["teams_new"] = len(self.teams_new)
        counts["entries_new"] = sum(len(row.new_entries) for row in self.rows if not row.errors)
        return counts

    @property
    def summary(self) -> str:
        counts = self.counts
        # Plural on the error count: the English says "1 row" / "2 rows".
        return (
            ngettext(
                "新增 %(new)s 人，更新 %(updated)s 人，未变 %(unchanged)s 人，错误 %(error)s 行",
                "新增 %(new)s 人，更新 %(updated)s 人，未变 %(unchanged)s 人，错误 %(error)s 行",
                counts["error"],
            )
            % counts
        )

    def as_dict(self) -> dict:
        return {
            "counts": self.counts,
            "summary": self.summary,
            "rows": [row.as_dict() for row in self.rows],
            "errors": [error.as_dict() for error in self.errors],
        }


def _clean_row(row: RowPreview, seen_ids: dict[str, int], events_by_code: dict[str, Event]) -> None:
    values = row.values
    for key, value in values.items():
        column = COLUMNS_BY_KEY[key]
        if column.required and not value:
            row.add_error(key, "required", _("必填"))
        elif column.max_length and len(value) > column.max_length:
            row.add_error(key, "too_long", _("不能超过 %(limit)s 个字") % {"limit": column.max_length})
        elif char := text_problem(value, line=True):
            row.add_error(key, "bad_characters", _("含有不允许的字符（%(char)s）") % {"char": char})
    gender = values.get("gender", "")
    if gender and gender not in GENDERS:
        row.add_error("gender", "gender_invalid", _("应为“男”或“女”"))
    id_number = values["id_number"] = values["id_number"].replace(" ", "").upper()
    if id_number:
        problem = id_number_error(id_number)
        if problem:
            row.add_error("id_number", *problem)
        elif id_number in seen_ids:
            row.add_error("id_number", "id_duplicate", _("与第%(row)s行重复") % {"row": seen_ids[id_number]})
        else:
            seen_ids[id_number] = row.row
    phone = values.get("phone", "")
    if phone and not PHONE.fullmatch(phone):
        row.add_error("phone", "phone_invalid", _("应为以1开头的11位数字"))
    for code in split_event_codes(values.get("events", "")):
        event = events_by_code.get(code) or events_by_code.get(code.lower())
        if event is None:
            row.add_error("events", "event_unknown", _("未知项目代号“%(code)s”") % {"code": code})
        elif event.kind == Event.Kind.TEAM and not values.get("team"):
            row.add_error("events", "team_required", _("团体项目“%(code)s”需要填写队名") % {"code": code})
        elif event not in row.events:
            row.events.append(event)


def build_preview(*, competition: Competition, raw_rows: list[dict]) -> ImportPreview:
    """Check ``raw_rows`` (from ``read_sheet``) and compare them with the database. Reads only."""
    events_by_code = {}
    for event in competition.events.all():
        events_by_code[event.code] = event
        events_by_code.setdefault(event.code.lower(), event)
    rows = [RowPreview(row=raw["row"], values=dict(raw["values"])) for raw in raw_rows]
    seen_ids: dict[str, int] = {}
    for row in rows:
        _clean_row(row, seen_ids, events_by_code)

    org_names = {row.values["organisation"] for row in rows if row.values["organisation"]}
    existing_orgs = set(Organisation.objects.filter(name__in=org_names).values_list("name", flat=True))
    teams = {team.name: team for team in competition.teams.all()}
    # Rows carry the check character upper-cased; a contestant typed in elsewhere may have "x".
    id_numbers = {row.values["id_number"] for row in rows}
    contestants = {
        contestant.id_number.upper(): contestant
        for contestant in competition.contestants.select_related("organisation", "team").filter(
            id_number__in=id_numbers | {number.lower() for number in id_numbers}
        )
    }
    entries = Entry.objects.filter(event__competition=competition)
    contestant_entries = set(entries.filter(contestant__isnull=False).values_list("event_id", "contestant_id"))
    team_entries = set(entries.filter(team__isnull=False).values_list("event_id", "team__name"))

    preview = ImportPreview(rows=rows)
    for row in rows:
        if row.errors:
            row.status = "error"
            continue
        _plan_row(row, contestants, contestant_entries, team_entries)
        organisation = row.values["organisation"]
        if organisation not in existing_orgs and organisation not in preview.organisations_new:
            preview.organisations_new.append(organisation)
        team = row.values.get("team")
        if team and team not in teams and team not in preview.teams_new:
            preview.teams_new.append(team)
    return preview


def _plan_row(row: RowPreview, contestants: dict, contestant_entries: set, team_entries: set) -> None:
    values = row.values
    contestant = row.contestant = contestants.get(values["id_number"])
    team_name = values.get("team", "")
    for event in row.events:
        if event.kind == Event.Kind.TEAM:
            if (event.id, team_name) not in team_entries:
                team_entries.add((event.id, team_name))  # once per team, however many members list it
                row.new_entries.append((event, team_name))
        elif contestant is None or (event.id, contestant.id) not in contestant_entries:
            row.new_entries.append((event, None))
    if contestant is None:
        row.status = "new"
        return
    current = {
        "organisation": contestant.organisation.name,
        "team": contestant.team.name if contestant.team else "",
        "name": contestant.name,
        "gender": GENDER_LABELS.get(contestant.gender, ""),
        "phone": contestant.phone,
        "job_title": contestant.job_title,
    }
    row.changes = [
        COLUMNS_BY_KEY[key].header for key, value in current.items() if key in values and values[key] != value
    ]
    if row.new_entries:
        row.changes.append(COLUMNS_BY_KEY["events"].header)
    row.status = "updated" if row.changes else "unchanged"
