"""First start: schema, question bank, first admin, demo school."""
from __future__ import annotations

import secrets
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select, text

from ..bank import import_bank
from ..extensions import db
from ..models import Province, School, Unit, User
from ..records.campaigns import ensure_first_campaign
from ..records.summaries import ensure_all
from .accounts import create_user

DEMO_SCHOOL_CODE = "DEMO"
SETUP_LOCK = 7_202_510  # any constant shared by every process of a deployment


def bootstrap(app: Flask, echo=print) -> None:
    """Bring the database up to date and make sure the app can be used right away.

    Idempotent: run at every start. The admin password is printed only when it was generated.
    """
    with app.app_context(), _one_at_a_time():
        upgrade(directory=app.extensions["migrate"].directory)
        created, updated = import_bank(Path(app.config["QUESTIONS_DIR"]))
        if created or updated:
            echo(f"Question bank: {created} quiz(zes) added, {updated} updated.")
        ensure_admin(app, echo)
        if app.config.get("SEED_DEMO"):
            ensure_demo_school()
        ensure_first_campaign()
        summarized = ensure_all()
        if summarized:
            echo(f"Records: figures computed for {summarized} session(s).")


@contextmanager
def _one_at_a_time():
    """Several processes starting together against PostgreSQL set up the database one after
    the other (an advisory lock), not all at once."""
    if db.engine.dialect.name != "postgresql":
        yield
        return
    with db.engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": SETUP_LOCK})
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SETUP_LOCK})


def ensure_admin(app: Flask, echo=print) -> None:
    if db.session.scalar(select(User.id).where(User.role == "admin").limit(1)) is not None:
        return
    password = app.config.get("ADMIN_PASSWORD") or ""
    generated = not password
    if generated:
        password = secrets.token_urlsafe(12)
    create_user("admin", password, role="admin", display_name="Quản trị viên")
    if generated:
        echo("=" * 60)
        echo("First admin account created (shown only this once):")
        echo("  username: admin")
        echo(f"  password: {password}")
        echo("=" * 60)
    else:
        echo("First admin account created: admin (password from QUIZAPP_ADMIN_PASSWORD).")


def ensure_demo_school() -> School:
    school = db.session.scalar(select(School).where(School.code == DEMO_SCHOOL_CODE))
    if school is not None:
        return school
    province = db.session.scalar(select(Province).where(Province.name == "Ninh Bình"))
    if province is None:
        province = Province(name="Ninh Bình")
        db.session.add(province)
    unit = Unit(name="Phường Demo", kind="phuong", province=province)
    school = School(code=DEMO_SCHOOL_CODE, name="Trường THCS Demo", level="thcs", unit=unit)
    db.session.add_all([unit, school])
    db.session.commit()
    return school
