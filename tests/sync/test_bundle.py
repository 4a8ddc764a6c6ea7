"""The bundle file: a laptop that never gets online exports its sessions signed; the central
server's admin imports them. Any changed byte and the whole file is refused."""
from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Game, Player, SyncPush, User
from quizapp.services.accounts import create_user
from quizapp.sync import bundle, client

from .conftest import played

KEY = "ab" * 32


@pytest.fixture
def officer(app):
    """The central server's presenter who linked the laptop."""
    with app.app_context():
        return create_user("officer", "pw-secret-1", role="presenter").id


@pytest.fixture
def linked(app, laptop, officer):
    """The laptop linked to the central ``app`` as ``officer`` (what ``sync pull`` stores)."""
    with laptop.app_context():
        client.set_setting(client.LINK, {
            "url": "http://central.example", "token": "unused",
            "user": {"id": officer, "username": "officer", "role": "presenter"},
            "bundle_key": bundle.bundle_key(app.config["SECRET_KEY"], officer)})
        db.session.commit()
    return laptop


def export(laptop, tmp_path, name="sessions.bundle"):
    path = tmp_path / name
    result = laptop.test_cli_runner().invoke(args=["sync", "export", str(path)])
    assert result.exit_code == 0, result.output
    return path, result.output


def upload(web, data: bytes):
    return web.post("/admin/sync", data={"file": (io.BytesIO(data), "sessions.bundle")},
                    content_type="multipart/form-data")


def admin_client(app):
    web = app.test_client()
    web.set_cookie("lang", "en")
    response = web.post("/login", data={"username": "admin", "password": "admin-password"})
    assert response.status_code == 302
    return web


def central_games(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Game.id)))


def test_a_bundle_reads_back_and_any_changed_byte_is_refused(laptop):
    game_id = played(laptop, players=2)
    with laptop.app_context():
        sessions = [client.session_payload(db.session.get(Game, game_id))]
    data = bundle.build(sessions, 7, KEY, made_at="2025-10-21T00:00:00Z", laptop="abc",
                        central="http://central.example")
    assert data.startswith(b"QUIZAPP-SYNC-BUNDLE 1 user=7 hmac-sha256=")
    found = bundle.read(data, lambda user: KEY if user == 7 else None)
    assert found.user_id == 7 and found.sessions == json.loads(json.dumps(sessions))
    assert found.payload["laptop"] == "abc"

    for i in range(len(data)):
        for flip in (0x01, 0x80):
            changed = bytearray(data)
            changed[i] ^= flip
            with pytest.raises(bundle.BundleError):
                bundle.read(bytes(changed), lambda user: KEY)
    for changed in (data[:-1], data + b"\n", data + b" ", b" " + data, data[:40], b"",
                    data.replace(b"\n", b"\r\n", 1), data.replace(b"user=7", b"user=8", 1)):
        with pytest.raises(bundle.BundleError):
            bundle.read(changed, lambda user: KEY)
    with pytest.raises(bundle.BundleError, match="another server"):
        bundle.read(data, lambda user: "cd" * 32)
    with pytest.raises(bundle.BundleError, match="account number 7"):
        bundle.read(data, lambda user: None)


def test_export_then_import_in_the_admin_pages(app, linked, tmp_path, officer):
    laptop = linked
    ids = [played(laptop, players=3), played(laptop, players=2)]
    played(laptop, ended=False)  # still running: not in the bundle
    path, output = export(laptop, tmp_path)
    assert "Wrote 2 session(s)" in output
    data = path.read_bytes()

    web = admin_client(app)
    page = upload(web, data)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert text.count("Added") == 2 and "Refused" not in text
    with app.app_context():
        games = db.session.scalars(select(Game).where(Game.origin == "laptop")).all()
        assert len(games) == 2 and {g.presenter.username for g in games} == {"officer"}
        assert sorted(len(g.players) for g in games) == [2, 3]
    with laptop.app_context():
        uuids = {db.session.get(Game, i).uuid for i in ids}
        # the laptop learns nothing from an import: its sessions wait for a push
        assert db.session.scalar(select(func.count()).select_from(SyncPush)) == 0
    assert {g.uuid for g in games} == uuids

    again = upload(web, data).get_data(as_text=True)
    assert again.count("Already here") == 2 and "Added<" not in again
    assert central_games(app) == 2


def test_a_changed_bundle_is_refused_whole(app, linked, tmp_path):
    played(linked, players=2)
    path, _output = export(linked, tmp_path)
    data = path.read_bytes()
    web = admin_client(app)
    # the officer's nickname edited in a text editor: one byte of the payload
    at = data.index(b'"An"') + 1
    tampered = data[:at] + b"B" + data[at + 1:]
    page = upload(web, tampered)
    assert page.status_code == 200
    assert "signature does not match" in page.get_data(as_text=True)
    assert central_games(app) == 0
    assert "not a field laptop" in upload(web, b"province,unit\n").get_data(as_text=True)
    assert "The file is empty." in upload(web, b"").get_data(as_text=True)
    assert central_games(app) == 0
    assert "Added" in upload(web, data).get_data(as_text=True)  # the real one is taken


def test_a_bundle_of_another_server_or_a_deactivated_account_is_refused(app, laptop, tmp_path,
                                                                       officer):
    played(laptop)
    with laptop.app_context():
        client.set_setting(client.LINK, {
            "url": "http://other.example", "token": "t", "user": {"id": officer},
            "bundle_key": bundle.bundle_key("another server's secret", officer)})
        db.session.commit()
    path, _ = export(laptop, tmp_path)
    web = admin_client(app)
    assert "another server" in upload(web, path.read_bytes()).get_data(as_text=True)
    with laptop.app_context():
        client.set_setting(client.LINK, {
            "url": "http://central.example", "token": "t", "user": {"id": officer},
            "bundle_key": bundle.bundle_key(app.config["SECRET_KEY"], officer)})
        db.session.commit()
    path, _ = export(laptop, tmp_path)
    with app.app_context():
        db.session.get(User, officer).active = False
        db.session.commit()
    text = upload(web, path.read_bytes()).get_data(as_text=True)
    assert "deactivated" in text and central_games(app) == 0


def test_only_admins_import_and_a_laptop_must_be_linked_to_export(app, laptop, officer,
                                                                  tmp_path):
    web = app.test_client()
    web.set_cookie("lang", "en")
    web.post("/login", data={"username": "officer", "password": "pw-secret-1"})
    assert web.get("/admin/sync").status_code == 403
    assert upload(web, b"QUIZAPP-SYNC-BUNDLE").status_code == 403
    played(laptop)
    result = laptop.test_cli_runner().invoke(args=["sync", "export", str(tmp_path / "x")])
    assert result.exit_code == 1 and "not linked" in result.output
    assert not (tmp_path / "x").exists()


def test_export_leaves_out_what_the_central_server_has(app, linked, tmp_path):
    first, second = played(linked), played(linked)
    with linked.app_context():
        db.session.add(SyncPush(game_id=first, status="sent", attempts=1))
        db.session.add(SyncPush(game_id=second, status="refused", message="no school",
                                attempts=1))
        db.session.commit()
    path, output = export(linked, tmp_path)
    assert "Wrote 1 session(s)" in output
    found = bundle.read(path.read_bytes(),
                        lambda user: bundle.bundle_key(app.config["SECRET_KEY"], user))
    with linked.app_context():
        assert [s["uuid"] for s in found.sessions] == [db.session.get(Game, second).uuid]
        db.session.get(SyncPush, second).status = "sent"
        db.session.commit()
        assert db.session.scalar(select(func.count(Player.id))) == 6  # an export purges nothing
    result = linked.test_cli_runner().invoke(args=["sync", "export", str(tmp_path / "y")])
    assert result.exit_code == 0 and "Nothing to export" in result.output
