"""The organisation file: CSV and XLSX import, re-import, every bad row listed with nothing
written, the command, the API by role, and the diacritic-insensitive school search."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Province, School, Unit
from quizapp.services.org import (MAX_FILE_BYTES, OrgFileError, fold, import_org,
                                  parse_org_file, search_schools)

ORG = Path(__file__).parent.parent / "data" / "org"
PROVINCE = (ORG / "province.csv").read_bytes()
HEADER = "province,unit,unit_kind,school_code,school_name,level"


def xlsx(rows: list[list], sheet_title: str = "Trường") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def org_state() -> dict:
    """Every school as code → (name, level, unit, unit kind, province), and the unit count."""
    schools = {s.code: (s.name, s.level, s.unit.name, s.unit.kind, s.unit.province.name)
               for s in db.session.scalars(select(School))}
    return {"schools": schools, "units": db.session.scalar(select(func.count(Unit.id))),
            "provinces": db.session.scalar(select(func.count(Province.id)))}


def bearer(client, username: str, password: str = "pw-secret-1") -> dict:
    import base64

    basic = base64.b64encode(f"{username}:{password}".encode()).decode()
    token = client.post("/api/v1/tokens", headers={"Authorization": f"Basic {basic}"}).get_json()
    return {"Authorization": f"Bearer {token['token']}"}


# ----- good files -------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["csv", "csv-bom", "csv-semicolon", "xlsx", "xlsx-numbers"])
def test_a_province_imports_from_every_form(ctx, form):
    rows = csv_rows(PROVINCE)
    if form == "csv":
        data, name = PROVINCE, "province.csv"
    elif form == "csv-bom":
        data, name = b"\xef\xbb\xbf" + PROVINCE.replace(b"\n", b"\r\n"), "province.csv"
    elif form == "csv-semicolon":  # Excel in a locale whose list separator is ";"
        data, name = "\n".join(";".join(r) for r in rows).encode(), "province.csv"
    elif form == "xlsx":
        data, name = xlsx(rows), "province.xlsx"
    else:  # codes typed as numbers, a blank row, trailing spaces and a header in capitals
        numeric = [[c.upper() for c in rows[0]]] + [r[:3] + [1000 + i] + [r[4] + "  ", r[5]]
                                                   for i, r in enumerate(rows[1:])]
        data, name = xlsx(numeric[:3] + [[None] * 6] + numeric[3:]), "province.xlsx"
    counts = import_org(data, name)
    assert {k: counts[k] for k in ("units", "schools", "created", "updated")} == {
        "units": 4, "schools": 7, "created": 7, "updated": 0}
    state = org_state()
    if form == "xlsx-numbers":
        assert sorted(state["schools"]) == ["1000", "1001", "1002", "1003", "1004", "1005",
                                           "1006", "DEMO"]
        assert state["schools"]["1001"][0] == "Trường THCS Trương Hán Siêu"  # trimmed
    else:
        assert state["schools"]["NB-THCS-001"] == (
            "Trường THCS Trương Hán Siêu", "thcs", "Phường Hoa Lư", "phuong", "Ninh Bình")
        assert state["schools"]["NB-TH-002"][2:4] == ("Đặc khu Cồn Thoi", "dac_khu")
    # the demo ward's province is Ninh Bình: one province, the demo ward and the file's four units
    assert (state["provinces"], state["units"]) == (1, 5)


def test_reimport_updates_and_moves_without_duplicates(ctx):
    import_org(PROVINCE, "province.csv")
    first = org_state()
    again = import_org(PROVINCE, "province.csv")
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 7, 7)
    assert org_state() == first
    changed = import_org((ORG / "province-changed.csv").read_bytes(), "province-changed.csv")
    assert {k: changed[k] for k in ("units", "schools", "created", "updated", "unchanged")} == {
        "units": 6, "schools": 8, "created": 1, "updated": 7, "unchanged": 5}
    state = org_state()
    assert len(state["schools"]) == 9  # the demo school, seven, and Kim Sơn's new one
    assert state["schools"]["NB-THCS-002"][2] == "Phường Tây Hoa Lư"  # moved to another unit
    assert state["schools"]["NB-LC-001"][0] == "Trường Phổ thông Liên cấp Nguyễn Trãi"
    assert "nb-th-001" not in state["schools"]  # codes compare without case, kept upper-case


def test_names_are_nfc_and_units_match_ignoring_case_and_spacing(ctx):
    decomposed = "Ninh Bình".replace("ì", "i\u0300")  # the same letters as a Mac may write them
    data = (f"{HEADER}\n{decomposed},  phường   hoa lư ,Phường,NB-1,Trường\u200b A,THCS\n"
            "Ninh Bình,Phường Hoa Lư,phuong,NB-2,Trường B,Tiểu học\n").encode()
    counts = import_org(data, "x.csv")
    assert (counts["units"], counts["units_created"]) == (1, 1)
    state = org_state()
    assert state["schools"]["NB-1"] == ("Trường A", "thcs", "phường hoa lư", "phuong", "Ninh Bình")
    assert state["schools"]["NB-2"][1] == "tieu_hoc"
    assert state["provinces"] == 1


def test_the_same_row_twice_is_one_school(ctx):
    rows = PROVINCE.decode().splitlines()
    counts = import_org("\n".join(rows + rows[1:3]).encode(), "twice.csv")
    assert (counts["schools"], counts["created"]) == (7, 7)


# ----- bad files --------------------------------------------------------------------------------


def test_every_bad_row_is_listed_and_nothing_written(ctx):
    before = org_state()
    with pytest.raises(OrgFileError) as caught:
        import_org((ORG / "bad.csv").read_bytes(), "bad.csv")
    problems = [(p.row, p.field) for p in caught.value.rows]
    assert problems == [(3, "unit_kind"), (4, "school_code"), (5, "level"), (6, "school_code"),
                        (7, "school_code"), (7, "school_name")]
    assert "2" in caught.value.rows[3].message  # the duplicate names the row it repeats
    assert org_state() == before


@pytest.mark.parametrize("data, name, expected", [
    (b"", "empty.csv", [(0, "file")]),
    (b"\n\n  \n", "blank.csv", [(0, "file")]),
    (b"Ninh Binh,Xa A,xa,A1,Truong A,thcs\n", "noheader.csv", [(1, "header")]),
    (b"province,unit,unit_kind,school_name,level\nP,U,xa,S,thcs\n", "nocode.csv",
     [(1, "school_code")]),
    (b"province,unit,unit_kind,school_code,school_name,level,school_code\n", "dup.csv",
     [(1, "school_code")]),
    (HEADER.encode() + b"\n", "header-only.csv", [(2, "school_code")]),
    ("province,unit\nNinh Bình,Xã A\n".encode("utf-16"), "utf16.csv", [(0, "file")]),
    ("province,unit\nNinh Bình,Xa A\n".encode("latin-1"), "latin1.csv", [(0, "file")]),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xls", [(0, "file")]),
    (b"PK\x03\x04 not really a zip", "broken.xlsx", [(0, "file")]),
    (b"%PDF-1.4 a letter", "letter.pdf", [(0, "file")]),
    (b"\x89PNG\r\n\x1a\n\0\0", "photo.png", [(0, "file")]),
])
def test_files_that_are_not_an_organisation_list(ctx, data, name, expected):
    with pytest.raises(OrgFileError) as caught:
        parse_org_file(data, name)
    assert [(p.row, p.field) for p in caught.value.rows] == expected
    assert caught.value.message


def test_an_xlsx_with_bad_rows_counts_rows_as_the_sheet_does(ctx):
    data = xlsx([HEADER.split(","), ["Ninh Bình", "Xã A", "xa", "A-1", "Trường A", "thcs"],
                 [None] * 6, [None] * 6,
                 ["Ninh Bình", "Xã A", "phuong", "A-2", "Trường B", "thcs"],
                 ["Ninh Bình", "Xã A", "xa", "A-3", "Trường C", 7]])
    with pytest.raises(OrgFileError) as caught:
        import_org(data, "sheet.xlsx")
    assert [(p.row, p.field) for p in caught.value.rows] == [(5, "unit_kind"), (6, "level")]


def test_a_file_too_large_is_refused(ctx):
    with pytest.raises(OrgFileError) as caught:
        parse_org_file(b"a" * (MAX_FILE_BYTES + 1), "huge.csv")
    assert caught.value.rows[0].field == "file"


def test_fields_too_long_are_refused(ctx):
    data = f"{HEADER}\nNinh Bình,Xã A,xa,{'C' * 33},{'T' * 201},thcs\n".encode()
    with pytest.raises(OrgFileError) as caught:
        import_org(data, "long.csv")
    assert [(p.row, p.field) for p in caught.value.rows] == [(2, "school_code"),
                                                            (2, "school_name")]


def test_a_unit_has_one_kind_in_a_file(ctx):
    data = (f"{HEADER}\nNinh Bình,Xã A,xa,A-1,Trường A,thcs\n"
            "Ninh Bình,Xã A,phuong,A-2,Trường B,thcs\n").encode()
    with pytest.raises(OrgFileError) as caught:
        import_org(data, "kinds.csv")
    assert [(p.row, p.field) for p in caught.value.rows] == [(3, "unit_kind")]


# ----- the command --------------------------------------------------------------------------------


def test_command_imports_or_lists_every_bad_row(app):
    runner = app.test_cli_runner()
    good = runner.invoke(args=["org", "import", str(ORG / "province.csv")])
    assert good.exit_code == 0, good.output
    assert "7 school(s) in 4 unit(s): 7 created, 0 updated" in good.output
    bad = runner.invoke(args=["org", "import", str(ORG / "bad.csv")])
    assert bad.exit_code == 1
    for row, column in [(3, "unit_kind"), (4, "school_code"), (5, "level"), (6, "school_code"),
                        (7, "school_name")]:
        assert f"row {row}, {column}:" in bad.output
    missing = runner.invoke(args=["org", "import", str(ORG / "nope.csv")])
    assert missing.exit_code == 2
    with app.app_context():
        assert len(org_state()["schools"]) == 8


# ----- the API ----------------------------------------------------------------------------------


@pytest.fixture
def org_clients(app, make):
    """A signed-in browser client per role, and an anonymous one."""
    make.school("OTHER")
    clients = {"anonymous": app.test_client()}
    for role in ("admin", "viewer", "presenter", "staff"):
        client = app.test_client()
        client.set_cookie("lang", "en")
        user = make.user(role, school="DEMO" if role == "staff" else None)
        make.login(client, user)
        clients[role] = client
    return clients


def upload(client, data: bytes, name: str, **headers):
    return client.post("/api/v1/org/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", headers=headers)


@pytest.mark.parametrize("role, status", [("admin", 200), ("viewer", 403), ("presenter", 403),
                                          ("staff", 403), ("anonymous", 401)])
def test_api_import_by_role(app, org_clients, role, status):
    response = upload(org_clients[role], PROVINCE, "province.csv")
    assert response.status_code == status, response.get_json()
    if status == 200:
        assert response.get_json() == {"units": 4, "schools": 7, "created": 7, "updated": 0,
                                       "unchanged": 0, "units_created": 4}
    else:
        assert response.get_json()["error"] in ("forbidden", "unauthorized")
        with app.app_context():
            assert len(org_state()["schools"]) == 2


def test_api_import_with_a_token_and_its_errors(app, org_clients, make):
    admin = make.user("admin")
    client = app.test_client()
    client.set_cookie("lang", "en")
    with app.app_context():
        from quizapp.models import User

        name = db.session.get(User, admin).username
    headers = bearer(client, name)
    bad = upload(client, (ORG / "bad.csv").read_bytes(), "bad.csv", **headers)
    assert bad.status_code == 422
    body = bad.get_json()
    assert body["error"] == "invalid_file" and "nothing was imported" in body["message"]
    assert [(r["row"], r["field"]) for r in body["rows"]][:3] == [
        (3, "unit_kind"), (4, "school_code"), (5, "level")]
    assert all(set(r) == {"row", "field", "message"} and r["message"] for r in body["rows"])
    missing = client.post("/api/v1/org/import", data={}, headers=headers,
                          content_type="multipart/form-data")
    assert missing.status_code == 400 and missing.get_json()["error"] == "bad_request"
    # a raw body (the test client would spool a multipart one to a file it never closes)
    envelope = (b'--x\r\nContent-Disposition: form-data; name="file"; filename="huge.csv"\r\n\r\n'
                + b"x" * (MAX_FILE_BYTES + 100_000) + b"\r\n--x--\r\n")
    huge = client.post("/api/v1/org/import", data=envelope, headers=headers,
                       content_type="multipart/form-data; boundary=x")
    assert huge.status_code == 413 and huge.get_json()["error"] == "file_too_large"
    assert "MB" in huge.get_json()["message"]
    picture = upload(client, b"\x89PNG\r\n\x1a\n", "photo.png", **headers)
    assert picture.status_code == 422 and picture.get_json()["rows"][0]["field"] == "file"
    good = upload(client, xlsx(csv_rows(PROVINCE)), "province.xlsx", **headers)
    assert good.status_code == 200 and good.get_json()["created"] == 7


# ----- finding schools --------------------------------------------------------------------------


@pytest.mark.parametrize("q, codes", [
    ("nguyen trai", ["NB-LC-001"]),
    ("NGUYỄN TRÃI", ["NB-LC-001"]),
    ("truong han sieu", ["NB-THCS-001"]),
    ("dinh tien", ["NB-TH-001"]),
    ("đinh", ["NB-TH-001"]),
    ("luong van tuy", ["NB-THPT-001"]),
    ("nb-thpt", ["NB-THPT-001", "NB-THPT-002"]),
    ("thcs-002", ["NB-THCS-002"]),
    ("con thoi", ["NB-TH-002"]),
    ("trai nguyen", ["NB-LC-001"]),  # words in any order
    ("nguyen [*]", []),
    ("%", []),
    ("zzz", []),
])
def test_search_ignores_diacritics_and_case(ctx, q, codes):
    import_org(PROVINCE, "province.csv")
    assert sorted(s.code for s in search_schools(q)) == codes


def test_fold():
    assert fold("Trường THCS Nguyễn Đức Cảnh") == "truong thcs nguyen duc canh"


def test_api_search_puts_the_presenters_unit_first_and_keeps_staff_to_their_school(
        app, client, make):
    with app.app_context():
        import_org(PROVINCE, "province.csv")
        from quizapp.services.accounts import create_account

        create_account("officer", "pw-secret-1", "presenter", unit="Xã Gia Viễn")
        create_account("teacher", "pw-secret-1", "staff", school="NB-THCS-001")
    presenter = bearer(client, "officer")
    schools = client.get("/api/v1/schools?q=truong", headers=presenter).get_json()["schools"]
    assert sorted(s["code"] for s in schools[:2]) == ["NB-LC-001", "NB-THCS-002"]  # their unit
    assert len(schools) == 8 and set(schools[0]) >= {"code", "name", "unit", "province"}
    assert schools[0]["unit"] == "Xã Gia Viễn" and schools[0]["province"] == "Ninh Bình"
    limited = client.get("/api/v1/schools?q=truong&limit=3", headers=presenter).get_json()
    assert len(limited["schools"]) == 3
    exact = client.get("/api/v1/schools?q=nb-th-002", headers=presenter).get_json()["schools"]
    assert exact[0]["code"] == "NB-TH-002"
    staff = bearer(client, "teacher")
    mine = client.get("/api/v1/schools?q=truong", headers=staff).get_json()["schools"]
    assert [s["code"] for s in mine] == ["NB-THCS-001"]
    assert client.get("/api/v1/schools?q=gia vien", headers=staff).get_json()["schools"] == []


def test_search_in_postgresql(tmp_path, monkeypatch):
    """The same search in PostgreSQL, whose pattern is a regular expression."""
    import secrets

    import psycopg

    from tests.conftest import build_app
    from tests.support import POSTGRES

    name = f"quizapp_org_{secrets.token_hex(4)}"
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        app = build_app(tmp_path, monkeypatch, SQLALCHEMY_DATABASE_URI=f"{POSTGRES}/{name}")
        with app.app_context():
            import_org(PROVINCE, "province.csv")
            assert [s.code for s in search_schools("nguyen trai")] == ["NB-LC-001"]
            assert [s.code for s in search_schools("ĐINH tiên")] == ["NB-TH-001"]
            assert sorted(s.code for s in search_schools("nb-thpt")) == ["NB-THPT-001",
                                                                        "NB-THPT-002"]
            assert search_schools("nguyen [*]") == [] and search_schools("a\\") == []
            db.session.remove()
            db.engine.dispose()
    finally:
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ----- the new-session form ---------------------------------------------------------------------


def test_new_session_form_offers_the_unit_and_takes_a_code_or_a_unique_name(app, client, make):
    with app.app_context():
        import_org(PROVINCE, "province.csv")
        from quizapp.services.accounts import create_account

        create_account("officer", "pw-secret-1", "presenter", unit="Xã Gia Viễn")
    client.set_cookie("lang", "en")
    client.post("/login", data={"username": "officer", "password": "pw-secret-1"})
    page = client.get("/host/new").data.decode()
    offered = sorted(set(re.findall(r'<option value="(NB-[A-Z0-9-]+)"', page)))
    assert offered == ["NB-LC-001", "NB-THCS-002"]  # only their unit's, not the province's 2,000
    assert 'data-search="/api/v1/schools"' in page and "school-search.js" in page

    def open_for(text: str):
        return client.post("/host/new", data={"quiz": "test-quiz", "school": text,
                                              "leaderboard_every": "1"})

    for text, code in [("NB-THPT-002", "NB-THPT-002"), ("nb-th-002", "NB-TH-002"),
                       ("NB-TH-001 — Trường Tiểu học Đinh Tiên Hoàng", "NB-TH-001"),
                       ("luong van tuy", "NB-THPT-001")]:
        response = open_for(text)
        assert response.status_code == 302, (text, response.data)
        with app.app_context():
            from quizapp.models import Game

            game = db.session.scalar(select(Game).order_by(Game.id.desc()))
            assert game.school.code == code
    several = open_for("truong thcs")
    assert several.status_code == 200 and b"Several schools match" in several.data
    unknown = open_for("NOPE")
    assert unknown.status_code == 200 and b"No school has this code." in unknown.data


def test_new_session_form_fills_in_the_only_school(app, client, make):
    make.login(client, make.user("admin"))
    page = client.get("/host/new").data.decode()
    assert 'value="DEMO"' in page  # the demo school is the only one there is
