"""The admin area's pages: who may open them, the import page, the lists with their filters
and pages, and editing units and schools."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import School, Unit
from quizapp.services.org import import_org

ORG = Path(__file__).parent.parent / "data" / "org"
HEADER = "province,unit,unit_kind,school_code,school_name,level"
PAGES = ["/admin/", "/admin/import", "/admin/import/template.csv", "/admin/units",
         "/admin/units/new", "/admin/units/{unit}", "/admin/schools", "/admin/schools/new",
         "/admin/schools/{school}", "/admin/users", "/admin/users/new", "/admin/users/{user}"]


@pytest.fixture
def clients(app, make):
    clients = {"anonymous": app.test_client()}
    for role in ("admin", "viewer", "presenter", "staff"):
        client = app.test_client()
        client.set_cookie("lang", "en")
        make.login(client, make.user(role, school="DEMO" if role == "staff" else None))
        clients[role] = client
    return clients


def ids(app) -> dict:
    with app.app_context():
        school = db.session.scalar(select(School).where(School.code == "DEMO"))
        return {"unit": school.unit_id, "school": school.id, "user": 1}


@pytest.mark.parametrize("role, status", [("admin", 200), ("viewer", 403), ("presenter", 403),
                                          ("staff", 403), ("anonymous", 302)])
def test_only_admins_open_the_admin_pages(app, clients, role, status):
    wrong = []
    for page in PAGES:
        url = page.format(**ids(app))
        response = clients[role].get(url)
        if response.status_code != status:
            wrong.append((url, response.status_code))
        if status == 302 and "/login" not in response.headers.get("Location", ""):
            wrong.append((url, response.headers.get("Location")))
    posts = ["/admin/import", "/admin/units/new", "/admin/schools/new", "/admin/users/new",
             "/admin/users/1", "/admin/users/1/active"]
    for url in posts if role != "admin" else []:
        if clients[role].post(url, data={"active": "0"}).status_code != status:
            wrong.append(("POST " + url, status))
    assert not wrong, wrong


@pytest.mark.parametrize("role, shown", [("admin", True), ("presenter", False), ("viewer", False)])
def test_the_admin_link_is_in_the_navigation_for_admins(clients, role, shown):
    assert (b'href="/admin/"' in clients[role].get("/").data) is shown


def test_template_download(clients):
    response = clients["admin"].get("/admin/import/template.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == HEADER.split(",") and len(rows) == 2
    # the template itself imports
    upload = clients["admin"].post("/admin/import", content_type="multipart/form-data",
                                   data={"file": (io.BytesIO(response.data), "template.csv")})
    assert upload.status_code == 200 and b"Imported" in upload.data


def test_import_page_shows_counts_or_every_bad_row(app, clients):
    admin = clients["admin"]
    good = admin.post("/admin/import", content_type="multipart/form-data",
                      data={"file": ((ORG / "province.csv").open("rb"), "province.csv")})
    assert good.status_code == 200
    page = good.data.decode()
    assert "Imported" in page and re.search(r"<b>7</b><span>schools added", page)
    bad = admin.post("/admin/import", content_type="multipart/form-data",
                     data={"file": ((ORG / "bad.csv").open("rb"), "bad.csv")})
    assert bad.status_code == 200
    rows = re.findall(r'<td class="num"[^>]*>(\d+)</td><td class="mono">(\w+)</td>',
                      bad.data.decode())
    assert rows == [("3", "unit_kind"), ("4", "school_code"), ("5", "level"), ("6", "school_code"),
                    ("7", "school_code"), ("7", "school_name")]
    assert b"nothing was imported" in bad.data
    empty = admin.post("/admin/import", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(b""), "empty.csv")})
    assert empty.status_code == 200 and b"The file is empty." in empty.data
    pdf = admin.post("/admin/import", content_type="multipart/form-data",
                     data={"file": (io.BytesIO(b"%PDF-1.4"), "letter.pdf")})
    assert pdf.status_code == 200 and b"Upload a CSV or an Excel (.xlsx) file." in pdf.data
    none = admin.post("/admin/import", data={})
    assert none.status_code == 200 and b"Choose a file." in none.data
    with app.app_context():
        assert db.session.scalar(select(School).where(School.code == "NB-LC-001")).level == "lien_cap"


@pytest.fixture
def big_province(app):
    """130 units of 12 schools: 1,560 schools, like a province."""
    lines = [HEADER]
    for u in range(130):
        kind = ("xa", "phuong", "dac_khu")[u % 3]
        for s in range(12):
            level = ("tieu_hoc", "thcs", "thpt", "lien_cap")[s % 4]
            lines.append(f"Ninh Bình,Đơn vị {u:03d},{kind},NB{u:03d}{s:02d},"
                         f"Trường số {s} Đơn vị {u:03d},{level}")
    with app.app_context():
        import_org("\n".join(lines).encode(), "big.csv")


def test_lists_filter_and_paginate(app, clients, big_province):
    admin = clients["admin"]
    units = admin.get("/admin/units").data.decode()
    assert "131 unit(s)" in units and "Page 1 of 3" in units
    assert len(re.findall(r'<td class="num"[^>]*><a href="/admin/schools\?unit=', units)) == 50
    second = admin.get("/admin/units?page=2").data.decode()
    assert "Page 2 of 3" in second and "Đơn vị 049" in second and "Đơn vị 048" not in second
    wards = admin.get("/admin/units?kind=phuong&q=don vi 00").data.decode()
    assert "4 unit(s)" in wards  # 001, 004, 007 and 100
    schools = admin.get("/admin/schools?q=don vi 123").data.decode()
    assert "12 school(s)" in schools
    thpt = admin.get("/admin/schools?level=thpt").data.decode()
    assert "390 school(s)" in thpt and "Page 1 of 8" in thpt
    assert 'href="/admin/schools?page=2&amp;level=thpt"' in thpt
    with app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.name == "Đơn vị 100"))
    own = admin.get(f"/admin/schools?unit={unit.id}").data.decode()
    assert "12 school(s)" in own and "Đơn vị 100" in own
    by_code = admin.get("/admin/schools?q=nb10005").data.decode()
    assert "1 school(s)" in by_code
    assert "0 school(s)" in admin.get("/admin/schools?q=nothing+like+this").data.decode()
    assert admin.get("/admin/units?page=99").status_code == 200
    assert admin.get("/admin/schools?province=abc&page=-3").status_code == 200


def test_create_and_edit_units_and_schools(app, clients):
    admin = clients["admin"]
    created = admin.post("/admin/units/new", data={"province": "ninh bình", "name": "Xã Kim Sơn",
                                                   "kind": "xa"})
    assert created.status_code == 302
    with app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.name == "Xã Kim Sơn"))
        assert unit.province.name == "Ninh Bình" and unit.kind == "xa"
        unit_id = unit.id
    twice = admin.post("/admin/units/new", data={"province": "Ninh Bình", "name": "xã kim sơn",
                                                 "kind": "xa"})
    assert twice.status_code == 200 and b"already has a unit" in twice.data
    renamed = admin.post(f"/admin/units/{unit_id}", data={"province": "Ninh Bình",
                                                          "name": "Phường Kim Sơn", "kind": "phuong"})
    assert renamed.status_code == 302
    school = admin.post("/admin/schools/new", data={"code": "nb-9", "name": "Trường THCS Kim Sơn",
                                                    "level": "thcs", "unit": "Phường Kim Sơn"})
    assert school.status_code == 302
    with app.app_context():
        row = db.session.scalar(select(School).where(School.code == "NB-9"))
        assert (row.name, row.level, row.unit.kind) == ("Trường THCS Kim Sơn", "thcs", "phuong")
        school_id = row.id
    taken = admin.post("/admin/schools/new", data={"code": "demo", "name": "X", "level": "thcs",
                                                   "unit": "Phường Kim Sơn"})
    assert taken.status_code == 200 and b"already" in taken.data
    spaces = admin.post("/admin/schools/new", data={"code": "A B", "name": "X", "level": "thcs",
                                                    "unit": "Phường Kim Sơn"})
    assert spaces.status_code == 200 and b"without spaces" in spaces.data
    nowhere = admin.post(f"/admin/schools/{school_id}", data={
        "code": "NB-9", "name": "X", "level": "thcs", "unit": "Phường Không Có"})
    assert nowhere.status_code == 200 and b"No unit is named" in nowhere.data
    moved = admin.post(f"/admin/schools/{school_id}", data={
        "code": "NB-9", "name": "Trường THCS Kim Sơn", "level": "lien_cap",
        "unit": "Ninh Bình / Phường Demo"})
    assert moved.status_code == 302
    with app.app_context():
        row = db.session.get(School, school_id)
        assert (row.level, row.unit.name) == ("lien_cap", "Phường Demo")
    assert admin.get("/admin/schools/99999").status_code == 404
    assert admin.get("/admin/units/99999").status_code == 404


def test_import_page_refuses_a_file_too_large(clients):
    # a raw body (the test client would spool a multipart one to a file it never closes)
    body = (b'--x\r\nContent-Disposition: form-data; name="file"; filename="huge.csv"\r\n\r\n'
            + b"x" * (11 * 2**20) + b"\r\n--x--\r\n")
    response = clients["admin"].post("/admin/import", data=body,
                                     content_type="multipart/form-data; boundary=x")
    assert response.status_code == 200 and b"The file is larger than 10 MB." in response.data
