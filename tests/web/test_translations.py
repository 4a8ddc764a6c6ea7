"""Every user-facing string is translated into Vietnamese, and the compiled catalogue is current."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "quizapp" / "translations" / "vi" / "LC_MESSAGES"


def _key(value):
    """A message id or string as a dictionary key: a plural's (lists in a .mo) as a tuple."""
    return tuple(value) if isinstance(value, (list, tuple)) else value


def test_every_string_has_a_vietnamese_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                    "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "."],
                   cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as f:
        source_ids = {m.id for m in read_po(f) if m.id}
    assert len(source_ids) > 100
    with (CATALOG / "messages.po").open("rb") as f:
        po = {m.id: m.string for m in read_po(f) if m.id and "fuzzy" not in m.flags}
    missing = sorted((i for i in source_ids
                      if not po.get(i) or (isinstance(po[i], tuple) and not all(po[i]))), key=str)
    assert not missing, f"untranslated (pybabel update, then translate): {missing[:10]}"
    with (CATALOG / "messages.mo").open("rb") as f:  # a plural's id and strings come as lists
        mo = {_key(m.id): _key(m.string) for m in read_mo(f) if m.id}
    stale = sorted((i for i in source_ids if mo.get(i) != _key(po[i])), key=str)
    assert not stale, f"messages.mo is out of date (pybabel compile): {stale[:10]}"


def test_vietnamese_is_the_default_language(client):
    page = client.get("/").data.decode()
    assert "Không một mình" in page and "Mã PIN" in page
    client.get("/lang/en")
    page = client.get("/").data.decode()
    assert "Not Alone" in page and "Game PIN" in page


def test_socket_errors_in_vietnamese_by_default(app, make, sockets):
    game = make.game()
    ack = sockets(game["pin"]).call("player:join", {"pin": "999999", "nickname": "Ai đó"})
    assert ack["error"] == "game_not_found"
    assert ack["message"] != "No session has this PIN. Check the number on the screen."
    assert "PIN" in ack["message"]


def test_form_messages_are_translated(app, make, records):
    """WTForms ships no Vietnamese: the app's validators carry their own messages."""
    admin = app.test_client()
    make.login(admin, records.user("admin"))
    empty = {"slug": "", "name": "", "starts": "", "ends": ""}
    page = admin.post("/admin/campaigns/new", data=empty).get_data(as_text=True)
    assert "This field is required" not in page and "Hãy điền mục này." in page
    admin.get("/lang/en")
    page = admin.post("/admin/campaigns/new", data=empty).get_data(as_text=True)
    assert "Fill in this field." in page
