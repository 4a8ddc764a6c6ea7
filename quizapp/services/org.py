"""The organisation: provinces, units (communes, wards, special zones) and their schools.

A province's list comes as one file (CSV or XLSX) with the header
``province,unit,unit_kind,school_code,school_name,level``. The whole file is checked before
anything is written: one bad row and nothing is imported, and every bad row is reported with its
row number as a spreadsheet shows it (the header is row 1). Importing again updates schools by
their code, so a corrected file can be imported as often as needed.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, or_, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Province, School, Unit, User

HEADER = ("province", "unit", "unit_kind", "school_code", "school_name", "level")
#: The largest file accepted: the whole country (45,000 schools) is about 5 MB as CSV.
MAX_FILE_BYTES = 10 * 1024 * 1024
#: Rows read at most (header included): a file of more is refused rather than half-read.
MAX_ROWS = 100_000
#: Columns read at most in a row (a sheet may claim thousands of empty ones).
MAX_COLUMNS = 40
CODE_RE = re.compile(r"[A-Z0-9._-]+")
MAX_LENGTHS = {"province": 120, "unit": 120, "school_code": 32, "school_name": 200}

KIND_LABELS = {"xa": _l("Commune"), "phuong": _l("Ward"), "dac_khu": _l("Special zone")}
LEVEL_LABELS = {"tieu_hoc": _l("Primary"), "thcs": _l("Lower secondary"),
                "thpt": _l("Upper secondary"), "lien_cap": _l("Several levels")}

TEMPLATE_CSV = (",".join(HEADER) + "\r\n"
                "Ninh Bình,Phường Hoa Lư,phuong,NB-THCS-0001,Trường THCS Trương Hán Siêu,thcs\r\n")


@dataclass(frozen=True)
class RowError:
    """One problem in a file: the row as a spreadsheet numbers it, the column, what is wrong."""

    row: int
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "message": self.message}


class OrgFileError(Exception):
    """The file cannot be imported; ``rows`` lists every problem found. A problem with the whole
    file (not a spreadsheet, empty, too large) is row 0, field ``file``."""

    def __init__(self, message: str, rows: list[RowError] | None = None):
        super().__init__(message)
        self.message = message
        self.rows = rows or [RowError(0, "file", message)]


@dataclass
class OrgRow:
    row: int
    province: str
    unit: str
    unit_kind: str
    school_code: str
    school_name: str
    level: str


@dataclass
class _Check:
    """The rows of a file being checked, with the problems found so far."""

    rows: list[OrgRow] = field(default_factory=list)
    problems: list[RowError] = field(default_factory=list)

    def bad(self, row: int, column: str, message: str) -> None:
        self.problems.append(RowError(row, column, message))


# ----- text ---------------------------------------------------------------------------------


def clean_text(value: object) -> str:
    """A cell as text: NFC (a name typed on a phone and the same name from Excel compare equal),
    invisible characters removed, runs of spaces and line breaks made one space, trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code typed into a spreadsheet as a number: 1234.0 is "1234"
    text = unicodedata.normalize("NFC", str(value))
    text = "".join(" " if c.isspace() else c for c in text
                   if c.isspace() or unicodedata.category(c) not in ("Cc", "Cf"))
    return " ".join(text.split())


def fold(text: str) -> str:
    """``text`` without diacritics, lower-case: what someone typing on a phone without Vietnamese
    input may write ("Trường Nguyễn Đức Cảnh" → "truong nguyen duc canh")."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn").casefold()


def name_key(text: str) -> str:
    """How names are matched (provinces, units): the same letters, diacritics included, in any
    case and spacing."""
    return clean_text(text).casefold()


def _choice(value: str, allowed: tuple[str, ...]) -> str | None:
    """A kind or level as written by a person: ``phuong``, ``Phường``, ``PHUONG`` and ``dac khu``
    all name a code of ``allowed``."""
    key = re.sub(r"[\s-]+", "_", fold(value))
    return key if key in allowed else None


# ----- reading a file -------------------------------------------------------------------------


def read_table(data: bytes, filename: str = "") -> list[tuple[int, list[str]]]:
    """The file's rows as ``(row number, cells)``; CSV (UTF-8, with or without BOM; comma,
    semicolon or tab as Excel writes them in different locales) or XLSX (the first sheet).
    Raises ``OrgFileError`` for a file of another kind."""
    name = filename.lower()
    if not data:
        raise OrgFileError(_("The file is empty."))
    if len(data) > MAX_FILE_BYTES:
        raise OrgFileError(_("The file is larger than %(mb)d MB.", mb=MAX_FILE_BYTES // 2**20))
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data)
    if data.startswith(b"\xd0\xcf\x11\xe0") or name.endswith(".xls"):
        raise OrgFileError(_("This is an old Excel file (.xls). Save it as Excel Workbook (.xlsx) "
                             "or CSV UTF-8 and upload it again."))
    if name.endswith((".xlsx", ".xlsm")):
        raise OrgFileError(_("This file is not a readable Excel workbook (.xlsx)."))
    if name and not name.endswith((".csv", ".txt", ".tsv")):
        raise OrgFileError(_("Upload a CSV or an Excel (.xlsx) file."))
    return _read_csv(data)


def _read_csv(data: bytes) -> list[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise OrgFileError(_("The file is not UTF-8 text. In Excel choose “Save as” → “CSV UTF-8 "
                             "(Comma delimited)”, or upload the .xlsx file.")) from None
    if "\x00" in text:
        raise OrgFileError(_("Upload a CSV or an Excel (.xlsx) file."))
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        for number, cells in enumerate(reader, start=1):
            if number > MAX_ROWS:
                raise OrgFileError(_("The file has more than %(n)d rows.", n=MAX_ROWS))
            rows.append((number, cells[:MAX_COLUMNS]))
    except csv.Error as exc:
        raise OrgFileError(_("The CSV file cannot be read: %(error)s", error=str(exc))) from None
    return rows


def _read_xlsx(data: bytes) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    rows = []
    try:
        with warnings.catch_warnings():  # openpyxl warns about styles and extensions it ignores
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = book.worksheets[0]
                for number, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS,
                                                               values_only=True), start=1):
                    if number > MAX_ROWS:
                        raise OrgFileError(_("The file has more than %(n)d rows.", n=MAX_ROWS))
                    rows.append((number, list(cells)))
            finally:
                book.close()
    except OrgFileError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, IndexError, OSError,
            SyntaxError) as exc:  # what openpyxl raises for a damaged or foreign zip
        raise OrgFileError(_("This file is not a readable Excel workbook (.xlsx).")) from exc
    except Exception as exc:  # openpyxl's own exceptions (InvalidFileException, ...)
        if type(exc).__module__.startswith(("openpyxl", "xml")):
            raise OrgFileError(_("This file is not a readable Excel workbook (.xlsx).")) from exc
        raise
    return rows


def parse_org_file(data: bytes, filename: str = "") -> list[OrgRow]:
    """The file's rows, each checked; raises ``OrgFileError`` listing every bad row.

    Rules: the first non-blank row is the header (these six titles, in any order; other columns
    are ignored); blank rows are skipped; every field is required; ``unit_kind`` and ``level``
    are one of their codes (the Vietnamese words are understood too); a school code is letters,
    digits, ``.``, ``_`` and ``-``, compared without case; a code may appear twice only with the
    same data; a unit (province + name) has one kind throughout the file.
    """
    table = [(n, [clean_text(c) for c in cells]) for n, cells in read_table(data, filename)]
    table = [(n, cells) for n, cells in table if any(cells)]
    if not table:
        raise OrgFileError(_("The file is empty."))
    header_row, titles = table[0]
    columns = _columns(header_row, titles)
    check = _Check()
    for number, cells in table[1:]:
        values = {name: (cells[i] if i < len(cells) else "") for name, i in columns.items()}
        _check_row(check, number, values)
    _check_consistency(check)
    if not check.rows and not check.problems:
        raise OrgFileError(_("The file has a header but no schools."),
                           [RowError(header_row + 1, "school_code",
                                     _("No school below the header."))])
    if check.problems:
        check.problems.sort(key=lambda p: (p.row, HEADER.index(p.field)))
        raise OrgFileError(_("%(n)d problem(s) in the file: nothing was imported.",
                             n=len(check.problems)), check.problems)
    return check.rows


def _columns(number: int, titles: list[str]) -> dict[str, int]:
    keys = [t.casefold().replace(" ", "_") for t in titles]
    missing = [name for name in HEADER if name not in keys]
    expected = ",".join(HEADER)
    if len(missing) == len(HEADER):
        message = _("The first row must be the header: %(header)s", header=expected)
        raise OrgFileError(message, [RowError(number, "header", message)])
    if missing:
        problems = [RowError(number, name, _("The header has no column “%(name)s”.", name=name))
                    for name in missing]
        raise OrgFileError(_("The first row must be the header: %(header)s", header=expected),
                           problems)
    doubled = [name for name in HEADER if keys.count(name) > 1]
    if doubled:
        raise OrgFileError(_("The header names a column twice."),
                           [RowError(number, name,
                                     _("The header names “%(name)s” twice.", name=name))
                            for name in doubled])
    return {name: keys.index(name) for name in HEADER}


def _check_row(check: _Check, number: int, values: dict[str, str]) -> None:
    before = len(check.problems)
    for name in HEADER:
        if not values[name]:
            check.bad(number, name, _("This field is empty."))
        elif name in MAX_LENGTHS and len(values[name]) > MAX_LENGTHS[name]:
            check.bad(number, name, _("At most %(n)d characters.", n=MAX_LENGTHS[name]))
    kind = _choice(values["unit_kind"], Unit.KINDS) if values["unit_kind"] else ""
    if kind is None:
        check.bad(number, "unit_kind", _("“%(value)s” is not a unit kind: use xa, phuong or "
                                         "dac_khu.", value=values["unit_kind"]))
    level = _choice(values["level"], School.LEVELS) if values["level"] else ""
    if level is None:
        check.bad(number, "level", _("“%(value)s” is not a school level: use tieu_hoc, thcs, thpt "
                                     "or lien_cap.", value=values["level"]))
    code = values["school_code"].upper()
    if code and len(code) <= MAX_LENGTHS["school_code"] and not CODE_RE.fullmatch(code):
        check.bad(number, "school_code", _("A school code is letters, digits, “.”, “_” and “-”, "
                                           "without spaces."))
    if len(check.problems) == before:
        check.rows.append(OrgRow(number, values["province"], values["unit"], kind, code,
                                 values["school_name"], level))


def _check_consistency(check: _Check) -> None:
    """A code named twice must carry the same data; a unit keeps one kind in the whole file."""
    schools: dict[str, OrgRow] = {}
    units: dict[tuple[str, str], OrgRow] = {}
    kept = []
    for row in check.rows:
        first = schools.get(row.school_code)
        unit_key = (name_key(row.province), name_key(row.unit))
        if first is not None:
            same = (unit_key == (name_key(first.province), name_key(first.unit))
                    and row.school_name == first.school_name and row.level == first.level)
            if not same:
                check.bad(row.row, "school_code", _(
                    "The code %(code)s is also on row %(row)d with different data.",
                    code=row.school_code, row=first.row))
            continue
        schools[row.school_code] = row
        unit = units.setdefault(unit_key, row)
        if unit.unit_kind != row.unit_kind:
            check.bad(row.row, "unit_kind", _(
                "%(unit)s is “%(kind)s” on row %(row)d: a unit has one kind.",
                unit=row.unit, kind=unit.unit_kind, row=unit.row))
            continue
        kept.append(row)
    check.rows = kept


# ----- importing ------------------------------------------------------------------------------


def import_org(data: bytes, filename: str = "") -> dict:
    """Import an organisation file in one transaction; raises ``OrgFileError`` and writes nothing
    if any row is bad.

    Provinces and units are matched by name (province + unit name, ignoring case and spacing)
    and created when new; a unit's kind and the spelling of its name follow the file. Schools
    are matched by code: a new code is created, a known one updated (name, level, and its unit:
    a school can move). Returns ``units`` and ``schools`` (how many the file names), ``created``
    and ``updated`` (schools; ``unchanged`` counts the updated ones that were already so) and
    ``units_created``.
    """
    rows = parse_org_file(data, filename)
    provinces = {name_key(p.name): p for p in db.session.scalars(select(Province))}
    units = {(name_key(u.province.name), name_key(u.name)): u
             for u in db.session.scalars(select(Unit).join(Unit.province))}
    codes = [r.school_code for r in rows]
    existing: dict[str, School] = {}
    for start in range(0, len(codes), 900):  # SQLite allows ~1,000 parameters
        chunk = codes[start:start + 900]
        existing.update((s.code.upper(), s) for s in db.session.scalars(
            select(School).where(func.upper(School.code).in_(chunk))))

    counts = {"units": 0, "schools": len(rows), "created": 0, "updated": 0, "unchanged": 0,
              "units_created": 0}
    seen_units: set[tuple[str, str]] = set()
    try:
        with db.session.no_autoflush:
            for row in rows:
                unit = _unit_for(row, provinces, units, seen_units, counts)
                school = existing.get(row.school_code)
                if school is None:
                    db.session.add(School(code=row.school_code, name=row.school_name,
                                          level=row.level, unit=unit))
                    counts["created"] += 1
                    continue
                counts["updated"] += 1
                if (school.name, school.level, school.unit_id, school.code) == (
                        row.school_name, row.level, unit.id, row.school_code):
                    counts["unchanged"] += 1
                    continue
                school.name, school.level, school.unit, school.code = (
                    row.school_name, row.level, unit, row.school_code)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise OrgFileError(_("Someone changed the organisation at the same time. Import the file "
                             "again.")) from None
    counts["units"] = len(seen_units)
    return counts


def _unit_for(row: OrgRow, provinces: dict, units: dict, seen: set, counts: dict) -> Unit:
    pkey, ukey = name_key(row.province), name_key(row.unit)
    province = provinces.get(pkey)
    if province is None:
        province = provinces[pkey] = Province(name=row.province)
        db.session.add(province)
    elif (pkey, ukey) not in seen and province.name != row.province:
        province.name = row.province
    unit = units.get((pkey, ukey))
    if unit is None:
        unit = units[(pkey, ukey)] = Unit(name=row.unit, kind=row.unit_kind, province=province)
        db.session.add(unit)
        counts["units_created"] += 1
    elif (pkey, ukey) not in seen:
        unit.name, unit.kind = row.unit, row.unit_kind
    seen.add((pkey, ukey))
    return unit


# ----- finding units and schools ----------------------------------------------------------------


class OrgError(ValueError):
    """A unit or school named by a person that does not exist, or not uniquely."""

    def __init__(self, message: str, code: str = "not_found"):
        super().__init__(message)
        self.message = message
        self.code = code


def unit_label(unit: Unit) -> str:
    """How a unit is written where names may repeat across provinces: ``Province / Unit``."""
    return f"{unit.province.name} / {unit.name}"


def find_unit(text: str) -> Unit:
    """The unit named ``Province / Unit``, or by its name alone when no other province has a unit
    of that name (names compare ignoring case and spacing). Raises ``OrgError``."""
    text = clean_text(text)
    if not text:
        raise OrgError(_("Name the unit."), "bad_request")
    candidates = _units_named(text)
    if not candidates and "/" in text:
        province_name, _sep, unit_name = text.partition("/")
        candidates = [u for u in _units_named(unit_name)
                      if name_key(u.province.name) == name_key(province_name)]
    if not candidates:
        raise OrgError(_("No unit is named “%(name)s”.", name=text))
    if len(candidates) > 1:
        where = ", ".join(sorted(u.province.name for u in candidates))
        raise OrgError(_("Several units are named “%(name)s” (%(where)s): write it as "
                         "“Province / Unit”.", name=text, where=where), "ambiguous")
    return candidates[0]


def _units_named(name: str) -> list[Unit]:
    # Compared in Python: SQL's lower() leaves Vietnamese capitals ("Đ") as they are.
    wanted = name_key(name)
    ids = [i for i, n in db.session.execute(select(Unit.id, Unit.name)) if name_key(n) == wanted]
    return list(db.session.scalars(select(Unit).where(Unit.id.in_(ids)))) if ids else []


def find_school(code: str) -> School:
    """The school with this code (any case). Raises ``OrgError``."""
    code = clean_text(code).upper()
    school = db.session.scalar(select(School).where(School.code == code)) if code else None
    if school is None:
        raise OrgError(_("No school has the code “%(code)s”.", code=code))
    return school


@lru_cache(maxsize=1)
def _letter_variants() -> dict[str, str]:
    """Each ASCII letter with every Latin letter that folds to it, in both cases
    ("a" → "aAàÀáÁ…ặẶ", "d" → "dDđĐ")."""
    variants: dict[str, list[str]] = {}
    for point in [*range(0x41, 0x250), *range(0x1E00, 0x1F00)]:
        char = chr(point)
        base = fold(char)
        if len(base) == 1 and "a" <= base <= "z" and char.isalpha():
            variants.setdefault(base, []).append(char)
    return {k: "".join(sorted(set(v))) for k, v in variants.items()}


def _word_pattern(word: str, dialect: str) -> str:
    """A pattern matching ``word`` anywhere, with or without diacritics, in any case: GLOB for
    SQLite, a POSIX regular expression for PostgreSQL."""
    variants = _letter_variants()
    parts = []
    for char in fold(word):
        if char in variants:
            parts.append(f"[{variants[char]}]")
        elif dialect == "sqlite":
            parts.append(f"[{char}]" if char in "*?[]" else char)
        else:
            parts.append(char if char.isalnum() else "\\" + char)
    body = "".join(parts)
    return f"*{body}*" if dialect == "sqlite" else body


def words_filter(q: str, *columns) -> list:
    """Conditions for rows where every word of ``q`` is in one of ``columns``, diacritics and case
    ignored ("nguyen trai" finds "Trường THCS Nguyễn Trãi")."""
    dialect = db.engine.dialect.name
    conditions = []
    for word in clean_text(q)[:80].split()[:6]:
        if dialect in ("sqlite", "postgresql"):
            pattern, op = _word_pattern(word, dialect), "GLOB" if dialect == "sqlite" else "~"
            conditions.append(or_(*(c.op(op)(pattern) for c in columns)))
        else:
            conditions.append(or_(*(c.ilike(f"%{word}%") for c in columns)))
    return conditions


def school_search_filter(q: str) -> list:
    """Schools whose name or code has every word of ``q`` (see ``words_filter``)."""
    return words_filter(q, School.name, School.code)


def search_schools(q: str = "", user: User | None = None, limit: int = 50,
                   unit_id: int | None = None) -> list[School]:
    """Schools matching ``q`` (see ``school_search_filter``) that ``user`` may see: staff only
    their own school. An exact code comes first, then the user's own unit's schools, then by
    name."""
    query = select(School).join(School.unit)
    if user is not None and user.role == "staff":
        query = query.where(School.id == user.school_id)
    if unit_id is not None:
        query = query.where(School.unit_id == unit_id)
    order = []
    if q.strip():
        query = query.where(*school_search_filter(q))
        order.append(case((School.code == clean_text(q).upper(), 0), else_=1))
    if user is not None and user.unit_id:
        order.append(case((School.unit_id == user.unit_id, 0), else_=1))
    query = query.order_by(*order, School.name, School.code).limit(max(1, min(limit, 200)))
    return list(db.session.scalars(query))


def school_from_input(text: str) -> School:
    """The school a person typed into a form: its code (alone, or first, as in "DEMO — Trường
    THCS Demo"), or words of its name that match only one school. Raises ``OrgError``."""
    text = clean_text(text)
    if not text:
        raise OrgError(_("Choose a school."), "bad_request")
    first = text.split(" ")[0].upper()
    school = db.session.scalar(select(School).where(School.code == first))
    if school is not None:
        return school
    matches = search_schools(text, limit=2)
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise OrgError(_("Several schools match “%(text)s”: choose one, or type its code.",
                         text=text), "ambiguous")
    raise OrgError(_("No school has this code."))


def unit_schools(user: User, limit: int = 500) -> list[School]:
    """The schools of the user's own unit (a presenter's), by name: offered first when they
    open a session. Empty for an account without a unit."""
    if not user.unit_id:
        return []
    return list(db.session.scalars(select(School).where(School.unit_id == user.unit_id)
                                   .order_by(School.name, School.code).limit(limit)))


def only_school(own: list[School]) -> School | None:
    """The school a new session is for when there is no choice: the only one of the user's
    unit, or the only one there is (a laptop set up for one school)."""
    if len(own) == 1:
        return own[0]
    if own:
        return None
    first_two = db.session.scalars(select(School).limit(2)).all()
    return first_two[0] if len(first_two) == 1 else None


def school_json(school: School) -> dict:
    return {"code": school.code, "name": school.name, "unit": school.unit.name,
            "province": school.unit.province.name, "level": school.level}


# ----- editing by hand --------------------------------------------------------------------------


def _check_name(value: str, limit: int) -> str:
    text = clean_text(value)
    if not text:
        raise OrgError(_("This field is empty."), "bad_request")
    if len(text) > limit:
        raise OrgError(_("At most %(n)d characters.", n=limit), "bad_request")
    return text


def save_unit(unit: Unit | None, province: str, name: str, kind: str) -> Unit:
    """Create (``unit`` None) or change a unit. The province is found by name or created; no two
    units of a province share a name (ignoring case and spacing). Raises ``OrgError``."""
    province_name = _check_name(province, MAX_LENGTHS["province"])
    name = _check_name(name, MAX_LENGTHS["unit"])
    if kind not in Unit.KINDS:
        raise OrgError(_("Choose the kind of unit."), "bad_request")
    target = next((p for p in db.session.scalars(select(Province))
                   if name_key(p.name) == name_key(province_name)), None)
    if target is None:
        target = Province(name=province_name)
        db.session.add(target)
    else:
        clash = next((u for u in target.units
                      if name_key(u.name) == name_key(name) and u is not unit), None)
        if clash is not None:
            db.session.rollback()
            raise OrgError(_("%(province)s already has a unit named “%(name)s”.",
                             province=target.name, name=clash.name), "conflict")
    if unit is None:
        unit = Unit()
        db.session.add(unit)
    unit.name, unit.kind, unit.province = name, kind, target
    db.session.commit()
    return unit


def save_school(school: School | None, code: str, name: str, level: str, unit: str) -> School:
    """Create (``school`` None) or change a school: a unique code (letters, digits, ``.``, ``_``,
    ``-``; stored upper-case), a name, a level and its unit (see ``find_unit``). Raises
    ``OrgError``."""
    code = _check_name(code, MAX_LENGTHS["school_code"]).upper()
    if not CODE_RE.fullmatch(code):
        raise OrgError(_("A school code is letters, digits, “.”, “_” and “-”, without spaces."),
                       "bad_request")
    name = _check_name(name, MAX_LENGTHS["school_name"])
    if level not in School.LEVELS:
        raise OrgError(_("Choose the school's level."), "bad_request")
    target = find_unit(unit)
    other = db.session.scalar(select(School).where(func.upper(School.code) == code))
    if other is not None and other is not school:
        raise OrgError(_("The code %(code)s is already %(name)s.", code=code, name=other.name),
                       "conflict")
    if school is None:
        school = School()
        db.session.add(school)
    school.code, school.name, school.level, school.unit = code, name, level, target
    db.session.commit()
    return school


def units_query(province_id: int | None = None, kind: str = "", q: str = ""):
    """Units by province and name, filtered (``q``: words of the name, see ``words_filter``)."""
    query = select(Unit).join(Unit.province).order_by(Province.name, Unit.name)
    if province_id:
        query = query.where(Unit.province_id == province_id)
    if kind in Unit.KINDS:
        query = query.where(Unit.kind == kind)
    if q.strip():
        query = query.where(*words_filter(q, Unit.name))
    return query


def school_counts(unit_ids: list[int]) -> dict[int, int]:
    """How many schools each of these units has."""
    if not unit_ids:
        return {}
    query = (select(School.unit_id, func.count(School.id))
             .where(School.unit_id.in_(unit_ids)).group_by(School.unit_id))
    return dict(db.session.execute(query).all())


def schools_query(province_id: int | None = None, unit_id: int | None = None, level: str = "",
                  q: str = ""):
    """Schools with their unit, by name, filtered (``q``: name or code, see
    ``school_search_filter``)."""
    query = select(School).join(School.unit).order_by(School.name, School.code)
    if province_id:
        query = query.where(Unit.province_id == province_id)
    if unit_id:
        query = query.where(School.unit_id == unit_id)
    if level in School.LEVELS:
        query = query.where(School.level == level)
    if q.strip():
        query = query.where(*school_search_filter(q))
    return query


def org_totals() -> dict:
    """How many provinces, units, schools and active accounts there are."""
    return {"provinces": db.session.scalar(select(func.count(Province.id))),
            "units": db.session.scalar(select(func.count(Unit.id))),
            "schools": db.session.scalar(select(func.count(School.id))),
            "users": db.session.scalar(select(func.count(User.id)).where(User.active.is_(True)))}
