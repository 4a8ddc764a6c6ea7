"""The lobby's Wi-Fi step and the join card: the Wi-Fi QR format and its checks, who may see
what, the lobby's steps on every presenter screen, and a password that stays in memory: in no
URL, no page, no log record and no database row."""
from __future__ import annotations

import logging
import re

import pytest
import zxingcpp
from PIL import Image, ImageDraw
from sqlalchemy import inspect, text

from quizapp.extensions import db
from quizapp.models import Game
from quizapp.services import wifi
from tests.conftest import Socket, build_app

SSID = 'Lớp 8A; "Wi-Fi"'
PASSWORD = 'p@ss:w;rd,"x\\9'


def parse_wifi(payload: str) -> dict:
    """A Wi-Fi QR code's text read as a phone reads it: ``WIFI:`` then ``K:value;`` fields, a
    backslash escaping the next character, ``;;`` at the end."""
    assert payload.startswith("WIFI:") and payload.endswith(";;"), payload
    fields, token, escaped = {}, "", False
    for ch in payload[len("WIFI:"):]:
        if escaped:
            token, escaped = token + ch, False
        elif ch == "\\":
            escaped = True
        elif ch == ";":
            if token:
                key, value = token.split(":", 1)
                fields[key] = value
            token = ""
        else:
            token += ch
    return fields


def decode_svg(svg: bytes) -> list[str]:
    """The QR codes in one of the app's SVG codes, read by ZXing from a drawing of its modules."""
    source = svg.decode()
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', source).group(1))
    scale = 8
    image = Image.new("L", (size * scale, size * scale), 255)
    draw = ImageDraw.Draw(image)
    for x, y in re.findall(r"M(\d+),(\d+)H", source):
        x, y = int(x) * scale, int(y) * scale
        draw.rectangle([x, y, x + scale - 1, y + scale - 1], fill=0)
    return [b.text for b in zxingcpp.read_barcodes(image)]


# ----- the format and its checks ----------------------------------------------------------------

@pytest.mark.parametrize("network, payload", [
    (wifi.WifiNetwork("Home", "12345678"), "WIFI:T:WPA;S:Home;P:12345678;;"),
    (wifi.WifiNetwork('a\\b;c,d:e"f', 'g\\h;i,j:k"l'),
     'WIFI:T:WPA;S:a\\\\b\\;c\\,d\\:e\\"f;P:g\\\\h\\;i\\,j\\:k\\"l;;'),
    (wifi.WifiNetwork("Open café", "", "nopass"), "WIFI:T:nopass;S:Open café;;"),
    (wifi.WifiNetwork("Quiet", "abcde", "WEP", hidden=True), "WIFI:T:WEP;S:Quiet;P:abcde;H:true;;"),
])
def test_payload_is_the_format_phones_read(network, payload):
    assert network.payload() == payload
    read = parse_wifi(payload)
    assert read["S"] == network.ssid and read.get("P", "") == network.password


def test_a_network_never_shows_its_password_in_its_repr():
    network = wifi.network(SSID, PASSWORD)
    assert PASSWORD not in repr(network) and PASSWORD not in str(network)
    assert network.public() == {"ssid": SSID, "security": "WPA", "hidden": False}


@pytest.mark.parametrize("ssid, password, security, field", [
    ("", "12345678", "WPA", "ssid"),
    ("   ", "12345678", "WPA", "ssid"),
    ("x" * 33, "12345678", "WPA", "ssid"),
    ("ằ" * 11, "12345678", "WPA", "ssid"),  # 33 bytes in UTF-8
    ("tab\there", "12345678", "WPA", "ssid"),
    ("Net", "1234567", "WPA", "password"),
    ("Net", "x" * 64, "WPA", "password"),  # 64 characters only as hex digits
    ("Net", "mật khẩu dài", "WPA", "password"),
    ("Net", "abcd", "WEP", "password"),
    ("Net", "0123456789abcdef012345678Z", "WEP", "password"),
    ("Net", "secret99", "nopass", "password"),
    ("Net", "12345678", "WPA4", "security"),
])
def test_networks_phones_could_not_join_are_refused_by_field(ssid, password, security, field):
    with pytest.raises(wifi.WifiError) as caught:
        wifi.network(ssid, password, security)
    assert field in caught.value.errors
    if password:
        assert password not in " ".join(caught.value.errors.values())


@pytest.mark.parametrize("ssid, password, security, kind", [
    ("x" * 32, "12345678", "wpa2", "WPA"),
    ("ằ" * 10, "a" * 63, "WPA3", "WPA"),
    ("Net", "0123456789abcdef" * 4, "WPA", "WPA"),
    ("Net", "0123456789", "WEP", "WEP"),
    ("Net", "abcdefghijklm", "wep", "WEP"),
    ("Net", "", "none", "nopass"),
    ("Net", "", "open", "nopass"),
])
def test_networks_phones_join(ssid, password, security, kind):
    assert wifi.network(ssid, password, security).security == kind


def test_a_session_keeps_its_network_half_a_day_at_most():
    now = [0.0]
    lobbies = wifi.Lobbies(clock=lambda: now[0])
    lobbies.set_network("123456", wifi.network("Net", "12345678"))
    assert lobbies.view("123456", None)[0].ssid == "Net"
    now[0] += wifi.KEEP_SECONDS - 1
    lobbies.set_step("123456", "join")  # shown again: kept longer
    now[0] += wifi.KEEP_SECONDS - 1
    assert lobbies.view("123456", None)[1]["step"] == "join"
    now[0] += wifi.KEEP_SECONDS + 1
    laptop = wifi.network("Laptop", "87654321")
    network, view = lobbies.view("123456", laptop)
    assert network == laptop and view["source"] == "laptop" and view["step"] == "wifi"


# ----- the pages --------------------------------------------------------------------------------

def _open_with_wifi(client, **fields) -> tuple[str, list]:
    """Open a session from the new-session form with a Wi-Fi network, following its redirects
    by hand (a 307 keeps the form a POST; the test client cannot send a body twice)."""
    data = {"quiz": "test-quiz", "school": "DEMO", "wifi_ssid": SSID, "wifi_password": PASSWORD,
            "wifi_security": "WPA", **fields}
    first = client.post("/host/new", data=data)
    assert first.status_code == 307, first.data
    second = client.post(first.headers["Location"], data=data)
    assert second.status_code == 303
    pin = re.fullmatch(r"/host/(\d{6})", second.headers["Location"]).group(1)
    return pin, [first.headers["Location"], second.headers["Location"]]


def test_new_session_with_wifi_shows_it_first_and_keeps_it_in_memory(app, client, make, caplog):
    caplog.set_level(logging.DEBUG)
    make.login(client, make.user())
    form = client.get("/host/new").get_data(as_text=True)
    assert 'name="wifi_ssid"' in form and 'name="wifi_password"' in form
    pin, locations = _open_with_wifi(client)
    assert all("?" not in url and "wifi_" not in url for url in locations)
    assert locations[0] == f"/host/{pin}/wifi"

    projector = client.get(f"/host/{pin}").get_data(as_text=True)
    assert 'data-step="wifi"' in projector and 'data-wifi="1"' in projector
    assert "Lớp 8A; &#34;Wi-Fi&#34;" in projector or "Lớp 8A; &quot;Wi-Fi&quot;" in projector
    assert f"/host/{pin}/wifi.svg?v=1" in projector
    assert "p@ss" not in projector and "p@ss" not in client.get(f"/host/{pin}/console").get_data(
        as_text=True)

    qr = client.get(f"/host/{pin}/wifi.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    assert qr.headers["Cache-Control"] == "no-store"
    [payload] = decode_svg(qr.data)
    assert parse_wifi(payload) == {"T": "WPA", "S": SSID, "P": PASSWORD}
    assert client.get(f"/host/{pin}/wifi").get_json() == {
        "wifi": {"ssid": SSID, "security": "WPA", "hidden": False}, "source": "session",
        "step": "wifi", "version": 1, "laptop": None}

    with app.app_context():  # nothing of it in the database: every table's every row
        dump = _dump(db)
    assert pin in dump and PASSWORD not in dump and "p@ss" not in dump
    assert not [r for r in caplog.records if "p@ss" in r.getMessage()]


def test_bad_networks_are_refused_with_the_form_and_no_session_opens(app, client, make):
    make.login(client, make.user())
    page = client.post("/host/new", data={"quiz": "test-quiz", "school": "DEMO",
                                          "wifi_ssid": "Net", "wifi_password": "short-"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert re.search(r"\b8\D+63\b", html) and "short-" not in html  # the password is not drawn back
    with app.app_context():
        assert db.session.query(Game).count() == 0
    answer = client.post(f"/host/{make.game(presenter_id=None)['pin']}/wifi", data={})
    assert answer.status_code == 403  # someone else's session


def test_the_lobby_step_reaches_every_presenter_screen_and_no_phone(app, client, make):
    presenter = make.user()
    make.login(client, presenter)
    pin, _ = _open_with_wifi(client)
    with app.app_context():
        token = db.session.query(Game).filter_by(pin=pin).one().host_token
    console = Socket(app, pin, auth={"host_token": token})
    assert console.call("host:join", {"pin": pin, "console": True})["ok"]
    phone = Socket(app, pin)
    assert phone.call("player:join", {"pin": pin, "nickname": "Sóc"})["ok"]
    console.clear()
    phone.clear()

    answer = client.post(f"/host/{pin}/step", data={"step": "both"})
    assert answer.get_json()["ok"] and answer.get_json()["step"] == "both"
    [event] = console.received("lobby:step")
    assert event["step"] == "both" and event["wifi"]["ssid"] == SSID
    assert 'data-step="both"' in client.get(f"/host/{pin}").get_data(as_text=True)
    assert client.post(f"/host/{pin}/step", data={"step": "nope"}).status_code == 400

    # a new network from the console (JSON): errors by field first
    bad = client.post(f"/host/{pin}/wifi", data={"wifi_ssid": "Hotspot", "wifi_password": "1234"},
                      headers={"Accept": "application/json"})
    assert bad.status_code == 400 and set(bad.get_json()["errors"]) == {"password"}
    good = client.post(f"/host/{pin}/wifi", headers={"Accept": "application/json"}, data={
        "wifi_ssid": "Hotspot", "wifi_password": "", "wifi_security": "nopass",
        "wifi_hidden": "y"})
    assert good.get_json()["ok"] and good.get_json()["step"] == "wifi"
    assert good.get_json()["wifi"] == {"ssid": "Hotspot", "security": "nopass", "hidden": True}
    assert console.received("lobby:step")[-1]["version"] == 2
    assert parse_wifi(decode_svg(client.get(f"/host/{pin}/wifi.svg").data)[0]) == {
        "T": "nopass", "S": "Hotspot", "H": "true"}

    # no Wi-Fi step at all: no code, the join step alone
    off = client.post(f"/host/{pin}/wifi", data={"action": "none"},
                      headers={"Accept": "application/json"}).get_json()
    assert off["wifi"] is None and off["step"] == "join"
    assert client.get(f"/host/{pin}/wifi.svg").status_code == 404
    everything = [str(m) for m in phone.received()]
    assert not [m for m in everything if "lobby:step" in m or "Hotspot" in m or SSID in m]
    console.disconnect()
    phone.disconnect()


def test_the_laptops_hotspot_from_the_environment(tmp_path, monkeypatch, caplog):
    app = build_app(tmp_path, monkeypatch, WIFI_SSID="Xe công an", WIFI_PASSWORD="laptop-pass-1",
                    WIFI_SECURITY="WPA2")
    from tests.conftest import Factory

    make = Factory(app)
    client = app.test_client()
    make.login(client, make.user())
    assert "Xe công an" in client.get("/host/new").get_data(as_text=True)
    pin = make.game(presenter_id=None)["pin"]  # another presenter's: 403 below
    assert client.get(f"/host/{pin}/wifi.svg").status_code == 403
    response = client.post("/host/new", data={"quiz": "test-quiz", "school": "DEMO"})
    mine = re.fullmatch(r"/host/(\d{6})", response.headers["Location"]).group(1)
    assert client.get(f"/host/{mine}/wifi").get_json()["source"] == "laptop"
    assert parse_wifi(decode_svg(client.get(f"/host/{mine}/wifi.svg").data)[0])["P"] == \
        "laptop-pass-1"
    client.post(f"/host/{mine}/wifi", data={"action": "none"})
    assert client.get(f"/host/{mine}/wifi").get_json()["wifi"] is None
    client.post(f"/host/{mine}/wifi", data={"action": "laptop"})
    assert client.get(f"/host/{mine}/wifi").get_json()["wifi"]["ssid"] == "Xe công an"

    # an ended session forgets its network
    with app.app_context():
        db.session.query(Game).filter_by(pin=mine).update({"phase": "over"})
        db.session.commit()
    assert client.get(f"/host/{mine}/wifi.svg").status_code == 404

    # a hotspot that phones could not join is left out, with a warning that keeps the secret
    logging.getLogger().addHandler(caplog.handler)  # building the app (alembic) reset logging
    caplog.set_level(logging.DEBUG)
    app.config["WIFI_PASSWORD"] = "tiny"
    with app.test_request_context():
        assert wifi.configured() is None
        assert wifi.configured() is None
    warnings = [r.getMessage() for r in caplog.records if "QUIZAPP_WIFI" in r.getMessage()]
    assert len(warnings) == 1 and "password" in warnings[0] and "tiny" not in warnings[0]
    logging.getLogger().removeHandler(caplog.handler)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("path, method", [("/host/{pin}/wifi", "get"), ("/host/{pin}/wifi", "post"),
                                          ("/host/{pin}/step", "post"),
                                          ("/host/{pin}/wifi.svg", "get"),
                                          ("/host/{pin}/card", "get")])
def test_only_the_sessions_presenter(app, make, path, method):
    game = make.game()
    url = path.format(pin=game["pin"])
    assert getattr(app.test_client(), method)(url).status_code == 302  # to the sign-in
    stranger = app.test_client()
    make.login(stranger, make.user())
    assert getattr(stranger, method)(url).status_code == 403
    staff = app.test_client()
    make.login(staff, make.user("staff", school="DEMO"))
    assert getattr(staff, method)(url).status_code == 403
    owner = app.test_client()
    make.login(owner, game["presenter_id"])
    assert getattr(owner, method)(url, data={"step": "join"}).status_code in (200, 303, 400, 404)


# ----- the join card ----------------------------------------------------------------------------

def test_join_card_with_and_without_wifi(client, make):
    make.login(client, make.user())
    response = client.post("/host/new", data={"quiz": "test-quiz", "school": "DEMO",
                                              "class_label": "8A"})
    plain = re.fullmatch(r"/host/(\d{6})", response.headers["Location"]).group(1)
    page = client.get(f"/host/{plain}/card").get_data(as_text=True)
    assert page.count('class="cs-qr"') == 1 and f"/play/{plain}/qr.svg" in page
    assert f"{plain[:3]}\u00a0{plain[3:]}" in page and "8A" in page
    assert len(re.findall(r"<li>", page.split('class="cs-steps"')[1])) == 3
    assert "wifi.svg" not in page

    pin, _ = _open_with_wifi(client)
    page = client.get(f"/host/{pin}/card").get_data(as_text=True)
    assert page.count('class="cs-qr"') == 2 and f"/host/{pin}/wifi.svg" in page
    steps = page.split('class="cs-steps"')[1].split("</ol>")[0]
    assert len(re.findall(r"<li>", steps)) == 3 and "Lớp 8A" in steps and "p@ss" not in page
    client.get("/lang/vi")
    assert 'lang="vi"' in client.get(f"/host/{pin}/card").get_data(as_text=True)


def _dump(database) -> str:
    """Every value of every row of every table, as text."""
    values = []
    for table in inspect(database.engine).get_table_names():
        for row in database.session.execute(text(f'SELECT * FROM "{table}"')):
            values += [v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
                       for v in row]
    return "\n".join(values)
