"""The support contact: the person the campaign letter names for difficulties, from the
environment (QUIZAPP_SUPPORT_NAME, _UNIT, _PHONE) or saved by an admin at /admin/settings; shown
to presenters and school staff (My sessions, their records, the printed session and school
reports) with the phone as a tel: link, and never on a pupil's phone page."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from quizapp.extensions import db
from quizapp.models import Setting
from quizapp.services.settings import SUPPORT_KEY, SettingError, clean_support, tel_href
from tests.conftest import build_app

NAME, UNIT, PHONE = "Đại úy Nguyễn Văn An", "Phòng An ninh mạng, Công an tỉnh", "0229 3871 234"
BOX = re.compile(r'<aside class="support-box".*?</aside>', re.S)


@pytest.fixture
def app(tmp_path, monkeypatch):
    app = build_app(tmp_path, monkeypatch, SUPPORT_NAME=NAME, SUPPORT_UNIT=UNIT,
                    SUPPORT_PHONE=PHONE)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def people(app, make):
    game = make.game()
    clients = {"anonymous": app.test_client()}
    for role, user_id in (("presenter", game["presenter_id"]), ("admin", 1),
                          ("staff", make.user("staff", school="DEMO"))):
        client = app.test_client()
        client.set_cookie("lang", "en")
        make.login(client, user_id, "admin-password" if role == "admin" else "pw-secret-1")
        clients[role] = client
    clients["anonymous"].set_cookie("lang", "en")
    return clients, game["pin"]


def box(client, url: str) -> str | None:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    found = BOX.search(response.get_data(as_text=True))
    return found.group(0) if found else None


def test_the_environment_gives_the_contact(app):
    env = {**os.environ, "QUIZAPP_SUPPORT_NAME": "Trung tá Lê Thị Bình",
           "QUIZAPP_SUPPORT_UNIT": "PA05", "QUIZAPP_SUPPORT_PHONE": "+84 912 345 678"}
    out = subprocess.run([sys.executable, "-c", "from quizapp.config import Config as C; "
                          "print(C.SUPPORT_NAME, C.SUPPORT_UNIT, C.SUPPORT_PHONE, sep='|')"],
                         env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "Trung tá Lê Thị Bình|PA05|+84 912 345 678"


def test_presenters_and_staff_see_it_where_they_work(people):
    clients, pin = people
    pages = [("presenter", "/host/"), ("presenter", "/records/me"),
             ("presenter", f"/host/{pin}/results"), ("staff", "/records/schools/DEMO"),
             ("staff", f"/host/{pin}/results"), ("admin", "/host/"),
             ("admin", "/records/schools/DEMO")]
    for role, url in pages:
        shown = box(clients[role], url)
        assert shown is not None, (role, url)
        assert NAME in shown and UNIT in shown and PHONE in shown, (role, url)
        assert 'href="tel:02293871234"' in shown, shown
    # never on a pupil's pages, nor on the public ones
    for url in (f"/play/{pin}", "/play/", "/", "/resources/", "/login"):
        response = clients["anonymous"].get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        assert "support-box" not in page and NAME not in page and "3871" not in page, url


def test_it_prints_with_the_reports(people):
    """Nothing hides it from the printed session and school records (no ``no-print`` around)."""
    clients, pin = people
    for role, url in (("presenter", f"/host/{pin}/results"), ("staff", "/records/schools/DEMO")):
        page = clients[role].get(url).get_data(as_text=True)
        start = page.index('<aside class="support-box"')
        assert "no-print" not in page[start:page.index("</aside>", start)]
        assert "no-print" not in BOX.search(page).group(0)


def test_an_admin_changes_it_and_goes_back_to_the_environment(app, people):
    clients, pin = people
    admin = clients["admin"]
    form = admin.get("/admin/settings").get_data(as_text=True)
    assert f'value="{NAME}"' in form and f'value="{PHONE}"' in form
    assert "Now from the server's setting" in form
    response = admin.post("/admin/settings", data={"name": "  Thiếu tá   Phạm Cường ",
                                                   "unit": "PA05", "phone": "+84 912.345.678"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Setting, SUPPORT_KEY).value == {
            "name": "Thiếu tá Phạm Cường", "unit": "PA05", "phone": "+84 912.345.678"}
    shown = box(clients["presenter"], "/host/")
    assert "Thiếu tá Phạm Cường" in shown and NAME not in shown
    assert 'href="tel:+84912345678"' in shown
    page = admin.get("/admin/settings").get_data(as_text=True)
    assert "Use the server's setting again" in page and NAME in page  # the default, named

    assert admin.post("/admin/settings", data={"action": "reset"}).status_code == 302
    with app.app_context():
        assert db.session.get(Setting, SUPPORT_KEY) is None
    assert NAME in box(clients["presenter"], "/host/")


def test_saved_empty_shows_no_contact(app, people):
    clients, _ = people
    assert clients["admin"].post("/admin/settings",
                                 data={"name": "", "unit": "", "phone": ""}).status_code == 302
    assert box(clients["presenter"], "/host/") is None
    assert box(clients["staff"], "/records/schools/DEMO") is None


def test_without_any_setting_there_is_no_box(tmp_path, monkeypatch):
    bare = build_app(tmp_path / "bare", monkeypatch)
    client = bare.test_client()
    from tests.conftest import Factory

    Factory(bare).login(client, 1, "admin-password")
    assert "support-box" not in client.get("/host/").get_data(as_text=True)
    with bare.app_context():
        db.session.remove()
        db.engine.dispose()


def test_the_contact_is_escaped(app, people):
    clients, _ = people
    clients["admin"].post("/admin/settings", data={"name": "<script>alert(1)</script>",
                                                   "unit": "<b>u</b>", "phone": "113"})
    shown = box(clients["presenter"], "/host/")
    assert "<script>" not in shown and "&lt;script&gt;" in shown and "<b>u</b>" not in shown


@pytest.mark.parametrize("phone", ["113", "0229 3871 234", "0912-345-678", "+84 912.345.678",
                                   "(0229) 387 1234", "+84912345678", "111"])
def test_phone_numbers_taken(phone):
    contact = clean_support("Name", "", phone)
    assert contact["phone"] == phone
    assert tel_href(phone) == "tel:" + ("+" if phone.startswith("+") else "") + re.sub(
        r"\D", "", phone)


@pytest.mark.parametrize("name, unit, phone, field", [
    ("N", "", "abc", "phone"),
    ("N", "", "12", "phone"),                         # too few digits
    ("N", "", "1234567890123456", "phone"),           # more than 15 digits
    ("N", "", "0912 345 678 ext 5", "phone"),
    ("N", "", "++84 912 345 678", "phone"),
    ("N", "", "0912+345678", "phone"),
    ("N", "", "javascript:alert(1)", "phone"),
    ("N", "", "0912 345 678" + " " * 5 + "9" * 10, "phone"),
    ("N" * 121, "", "113", "name"),
    ("N", "U" * 201, "113", "unit"),
    ("", "PA05", "113", "name"),                      # a number with nobody to ask for
])
def test_bad_values_are_refused_and_nothing_is_saved(app, people, name, unit, phone, field):
    clients, _ = people
    with pytest.raises(SettingError) as exc:
        clean_support(name, unit, phone)
    assert exc.value.field == field
    response = clients["admin"].post("/admin/settings",
                                     data={"name": name, "unit": unit, "phone": phone})
    assert response.status_code == 200  # the form again, with its problem
    assert 'class="field-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Setting, SUPPORT_KEY) is None
    assert NAME in box(clients["presenter"], "/host/")


def test_lengths_at_the_limit_are_taken():
    contact = clean_support("N" * 120, "U" * 200, "+84 (0) 229-387.1234")
    assert len(contact["name"]) == 120 and len(contact["unit"]) == 200


def test_control_characters_are_taken_out():
    contact = clean_support("An\r\nSet-Cookie: x", "PA05\t\x00", "113")
    assert contact == {"name": "An Set-Cookie: x", "unit": "PA05", "phone": "113"}
