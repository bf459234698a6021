"""Reading a people list from .csv or .xlsx into validated Person models.

Nothing is written here: the caller shows the preview (rows and a per-row
error report) and saves all rows in one transaction or none.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

from pydantic import ValidationError

from domain.clean import identity_text
from domain.dates import DateParseError, parse_optional_date
from domain.errors_cn import describe_validation_error
from domain.people import CommitteePost, Person, PoliticalStatus, Sex, Shift

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_FIELD_CHARS = 2000
# An .xlsx is a zip: 20 MB on disk can inflate to gigabytes of XML.
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024

# Column header aliases as they appear in spreadsheets from the field.
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "name"),
    "sex": ("性别", "sex"),
    "birth_date": ("出生日期", "出生年月", "生日", "birth_date"),
    "status": ("政治面貌", "身份", "人员类别", "status"),
    "branch": ("支部", "所在支部", "党支部", "branch"),
    "group": ("党小组", "小组", "group"),
    "post": ("职务", "党内职务", "支委职务", "post"),
    "team": ("班组", "班组/队", "team"),
    "job": ("岗位", "工种", "job"),
    "shift": ("班次", "shift"),
    "phone": ("电话", "手机", "联系电话", "phone"),
    "joined_party": ("入党时间", "入党日期", "joined_party"),
    "confirmed_on": ("转正时间", "转正日期", "confirmed_on"),
    "note": ("备注", "note"),
}
_ALIAS = {alias.lower(): key for key, aliases in HEADERS.items() for alias in aliases}
_STATUS_ALIAS = {"党员": PoliticalStatus.FULL, "中共党员": PoliticalStatus.FULL,
                 "预备": PoliticalStatus.PROBATIONARY, "中共预备党员": PoliticalStatus.PROBATIONARY,
                 "积极分子": PoliticalStatus.ACTIVIST}  # fmt: skip


class ImportFileError(ValueError):
    """The file as a whole cannot be read; message in Chinese."""


@dataclass
class RowError:
    row: int  # 1-based spreadsheet row number (header is row 1)
    message: str


class OnDuplicate(StrEnum):
    """What an import does with a row that matches someone already on the roster."""

    SKIP = "skip"  # keep the roster's person as is (the default)
    UPDATE = "update"  # overwrite their fields with the file's (columns present only)


@dataclass(frozen=True)
class Duplicate:
    """Row *row* of the file (``people[index]``) is *existing*, matched by name
    and *by* (出生日期 or 电话)."""

    index: int
    row: int
    existing: Person
    by: str


@dataclass
class ImportPreview:
    people: list[Person] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows_read: int = 0
    rows: list[int] = field(default_factory=list)  # spreadsheet row of each of people
    columns: frozenset[str] = frozenset()  # HEADERS keys the file has
    duplicates: list[Duplicate] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.people)

    def duplicate_of(self, index: int) -> Duplicate | None:
        return next((d for d in self.duplicates if d.index == index), None)


def same_person(a: Person, b: Person) -> str | None:
    """How *a* and *b* are known to be one person: the same name as a reader
    sees it (full-width, zero-width and spaces ignored) and the same 出生日期
    or 电话. None when they may be two people."""
    if identity_text(a.name) != identity_text(b.name):
        return None
    if a.birth_date is not None and a.birth_date == b.birth_date:
        return "出生日期"
    if a.phone and a.phone == b.phone:
        return "电话"
    return None


def find_duplicates(preview: ImportPreview, existing: list[Person]) -> list[Duplicate]:
    """The rows that are someone in *existing* (the roster's people of the same
    names); sets and returns ``preview.duplicates``."""
    by_name: dict[str, list[Person]] = {}
    for p in existing:
        by_name.setdefault(identity_text(p.name), []).append(p)
    found: list[Duplicate] = []
    for i, p in enumerate(preview.people):
        for old in by_name.get(identity_text(p.name), []):
            by = same_person(p, old)
            if by:
                row = preview.rows[i] if i < len(preview.rows) else 0
                found.append(Duplicate(i, row, old, by))
                break
    preview.duplicates = found
    return found


# Which Person field each file column fills (an update changes only these).
_COLUMN_FIELDS = {"branch": ("branch_id", "group_id"), "group": ("group_id",)}


def merged(existing: Person, incoming: Person, columns: frozenset[str]) -> Person:
    """*existing* with the values the file gives (its columns, non-empty cells);
    the roster's id, version and anything the file does not say are kept."""
    changes: dict[str, object] = {}
    for column in columns:
        for name in _COLUMN_FIELDS.get(column, (column,)):
            value = getattr(incoming, name, None)
            if name == "name" or value in (None, ""):
                continue
            changes[name] = value
    if "group" not in columns and changes.get("branch_id") not in (None, existing.branch_id):
        changes["group_id"] = None  # moved branch: the old branch's group no longer applies
    return existing.model_copy(update=changes)


def decode_bytes(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (Excel on Chinese Windows)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise ImportFileError(
            "无法识别文件编码（支持 UTF-8、带 BOM 的 UTF-8、GB18030/GBK）"
        ) from None


def read_table(path: Path) -> list[list[str]]:
    if not path.exists():
        raise ImportFileError(f"找不到文件：{path}")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ImportFileError("文件超过 20 MB，请拆分后导入")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix in (".csv", ".txt"):
        text = decode_bytes(path.read_bytes())
        csv.field_size_limit(MAX_FILE_BYTES)
        try:
            return [list(r) for r in csv.reader(io.StringIO(text))]
        except csv.Error as e:
            raise ImportFileError(f"CSV 格式错误：{e}") from None
    raise ImportFileError("只支持 .csv 和 .xlsx 文件")


def _read_xlsx(path: Path) -> list[list[str]]:
    try:
        with zipfile.ZipFile(path) as z:
            inflated = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError):
        raise ImportFileError("无法读取 Excel 文件：不是有效的 .xlsx 文件") from None
    if inflated > MAX_UNZIPPED_BYTES:
        raise ImportFileError("Excel 文件解压后超过 100 MB，请拆分后导入")
    try:
        import openpyxl  # heavy: only when importing a spreadsheet
    except ImportError:  # pragma: no cover - dependency declared
        raise ImportFileError("缺少 openpyxl，无法读取 .xlsx") from None
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as e:  # openpyxl raises many kinds for a bad file
        raise ImportFileError(f"无法读取 Excel 文件：{type(e).__name__}") from None
    try:
        ws = wb.worksheets[0]
        out = []
        for row in ws.iter_rows(values_only=True):
            out.append(["" if v is None else _cell_text(v) for v in row])
        return out
    finally:
        wb.close()


def _cell_text(v: object) -> str:
    if hasattr(v, "date") and hasattr(v, "hour"):
        return v.date().isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


E = TypeVar("E", bound=StrEnum)


def _enum(value: str, enum: type[E], aliases: dict[str, E] | None = None) -> E | None:
    value = value.strip()
    if not value:
        return None
    if aliases and value in aliases:
        return aliases[value]
    try:
        return enum(value)
    except ValueError:
        allowed = "、".join(e.value for e in enum)
        raise ValueError(f"“{value[:20]}”不是有效值（可选：{allowed}）") from None


def build_preview(
    table: list[list[str]],
    *,
    branch_ids: dict[str, str],
    group_ids: dict[tuple[str, str], str],
    default_branch_id: str | None = None,
) -> ImportPreview:
    """Validate every row; *branch_ids* maps branch name → id, *group_ids*
    maps (branch id, group name) → id."""
    preview = ImportPreview()
    rows = [r for r in table if any(c.strip() for c in r)]
    if not rows:
        preview.errors.append(RowError(1, "文件是空的"))
        return preview
    header = rows[0]
    cols: dict[str, int] = {}
    for i, h in enumerate(header):
        key = _ALIAS.get(h.strip().lower())
        if key and key not in cols:
            cols[key] = i
    if "name" not in cols:
        preview.errors.append(RowError(1, "表头缺少“姓名”列"))
        return preview
    preview.columns = frozenset(cols)
    for n, raw in enumerate(table[1:], start=2):
        if not any(c.strip() for c in raw):
            continue
        preview.rows_read += 1
        values = {k: (raw[i] if i < len(raw) else "") for k, i in cols.items()}
        if len(raw) > len(header):
            preview.errors.append(RowError(n, f"本行有 {len(raw)} 列，表头只有 {len(header)} 列"))
            continue
        too_long = [k for k, v in values.items() if len(v) > MAX_FIELD_CHARS]
        if too_long:
            preview.errors.append(RowError(n, f"字段过长（超过 {MAX_FIELD_CHARS} 字）"))
            continue
        try:
            preview.people.append(_row_person(values, branch_ids, group_ids, default_branch_id))
            preview.rows.append(n)
        except (ValueError, ValidationError) as e:
            msg = describe_validation_error(e) if isinstance(e, ValidationError) else str(e)
            preview.errors.append(RowError(n, msg))
    _refuse_repeated_rows(preview)
    if not preview.people and not preview.errors:
        preview.errors.append(RowError(2, "没有数据行"))
    return preview


def _refuse_repeated_rows(preview: ImportPreview) -> None:
    """A person listed twice in the file (same name after normalising, and the
    same 出生日期 or 电话) is an error on the later row: importing both would
    make two people, and which row is right is for the user to say."""
    seen: dict[str, list[tuple[int, Person]]] = {}
    for row, person in zip(preview.rows, preview.people, strict=True):
        earlier = seen.setdefault(identity_text(person.name), [])
        for first_row, first in earlier:
            by = same_person(person, first)
            if by:
                preview.errors.append(
                    RowError(row, f"与第 {first_row} 行是同一人（姓名、{by}相同），请删去一行")
                )
                break
        earlier.append((row, person))
    preview.errors.sort(key=lambda e: e.row)


def _row_person(
    v: dict[str, str],
    branch_ids: dict[str, str],
    group_ids: dict[tuple[str, str], str],
    default_branch_id: str | None,
) -> Person:
    branch_name = v.get("branch", "").strip()
    if branch_name:
        if branch_name not in branch_ids:
            raise ValueError(f"找不到支部“{branch_name[:30]}”")
        branch_id: str | None = branch_ids[branch_name]
    else:
        branch_id = default_branch_id
    if branch_id is None:
        raise ValueError("未指定支部（表中无“支部”列时请用 --branch 指定）")
    group_name = v.get("group", "").strip()
    group_id = None
    if group_name:
        group_id = group_ids.get((branch_id, group_name))
        if group_id is None:
            raise ValueError(f"该支部下没有党小组“{group_name[:30]}”")
    try:
        dates = {
            k: parse_optional_date(v.get(k, ""))
            for k in ("birth_date", "joined_party", "confirmed_on")
        }
    except DateParseError as e:
        raise ValueError(str(e)) from None
    status = _enum(v.get("status", ""), PoliticalStatus, _STATUS_ALIAS) or PoliticalStatus.MASSES
    return Person(
        name=v.get("name", ""),
        sex=_enum(v.get("sex", ""), Sex),
        status=status,
        branch_id=branch_id,
        group_id=group_id,
        post=_enum(v.get("post", ""), CommitteePost),
        team=v.get("team", ""),
        job=v.get("job", ""),
        shift=_enum(v.get("shift", ""), Shift),
        phone=v.get("phone", ""),
        note=v.get("note", ""),
        **dates,
    )
