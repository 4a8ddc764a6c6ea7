"""Start-up checks: production refuses a default secret; a laptop install makes its own."""
from __future__ import annotations

import secrets

import pytest

from quizapp import create_app


@pytest.mark.parametrize("key", ["", "dev", "changeme", "short-key", "a" * 40])
def test_production_refuses_a_default_or_weak_secret(tmp_path, monkeypatch, key):
    monkeypatch.setenv("QUIZAPP_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="QUIZAPP_SECRET_KEY"):
        create_app({"ENVIRONMENT": "production", "SECRET_KEY": key})


def test_production_starts_with_a_real_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("QUIZAPP_INSTANCE_PATH", str(tmp_path))
    key = secrets.token_urlsafe(48)
    assert create_app({"ENVIRONMENT": "production", "SECRET_KEY": key}).secret_key == key


def test_a_laptop_install_keeps_its_own_random_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("QUIZAPP_INSTANCE_PATH", str(tmp_path))
    first = create_app({"SECRET_KEY": ""}).secret_key
    assert len(first) >= 48 and (tmp_path / "secret_key").read_text() == first
    assert create_app({"SECRET_KEY": ""}).secret_key == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_passwords_are_hashed_with_scrypt(app):
    from quizapp.extensions import db
    from quizapp.models import User

    with app.app_context():
        admin = db.session.query(User).filter_by(username="admin").one()
        assert admin.password_hash.startswith("scrypt:") and "admin-password" not in admin.password_hash
        assert admin.check_password("admin-password") and not admin.check_password("admin")
