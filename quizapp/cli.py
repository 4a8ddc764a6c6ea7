"""``flask`` commands for maintenance by hand."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from .bank import BankError, import_bank
from .extensions import db
from .services.accounts import AccountError, create_account, set_active, user_by_username
from .services.org import OrgFileError, import_org
from .services.records import purge_older_than
from .services.setup import bootstrap


def init_app(app: Flask) -> None:
    app.cli.add_command(setup_command)
    app.cli.add_command(quiz_group)
    app.cli.add_command(users_group)
    app.cli.add_command(records_group)
    app.cli.add_command(org_group)


@click.group("records", cls=AppGroup)
def records_group() -> None:
    """Session records."""


@records_group.command("purge")
@click.option("--older-than", "days", type=click.IntRange(min=0), required=True,
              help="Remove the players and answers of sessions older than this many days.")
def records_purge(days: int) -> None:
    """Delete children's data (nicknames, answers, help requests) of old sessions, keeping the
    aggregate counts each session's record needs."""
    removed = purge_older_than(days)
    click.echo(f"Purged {removed['sessions']} session(s): {removed['players']} player(s), "
               f"{removed['answers']} answer(s) removed; aggregate counts kept.")


@click.command("setup")
@with_appcontext
def setup_command() -> None:
    """Upgrade the database, import the question bank, create the first admin and demo school."""
    bootstrap(current_app._get_current_object(), echo=click.echo)


@click.group("quiz", cls=AppGroup)
def quiz_group() -> None:
    """The question bank."""


@quiz_group.command("import")
@click.argument("directory", required=False, type=click.Path(exists=True, file_okay=False))
def quiz_import(directory: str | None) -> None:
    """Validate and import every quiz file in DIRECTORY (default: questions/)."""
    folder = Path(directory or current_app.config["QUESTIONS_DIR"])
    try:
        created, updated = import_bank(folder)
    except BankError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{created} added, {updated} updated.")


@click.group("users", cls=AppGroup)
def users_group() -> None:
    """Accounts."""


@users_group.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "viewer", "presenter", "staff"]),
              default="presenter", show_default=True)
@click.option("--unit", default=None, help="A presenter's unit: its name, or 'Province / Unit'.")
@click.option("--school", default=None, help="A staff member's school code.")
@click.option("--name", "display_name", default="", help="The name shown to others.")
@click.password_option()
def users_create(username: str, role: str, unit: str | None, school: str | None,
                 display_name: str, password: str) -> None:
    """Create an account: a presenter needs --unit, staff --school."""
    try:
        user = create_account(username, password, role, unit=unit, school=school,
                              display_name=display_name)
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    where = (f" ({user.unit.province.name} / {user.unit.name})" if user.unit
             else f" ({user.school.code})" if user.school else "")
    click.echo(f"Created {role} {user.username}{where}.")


def _switch(username: str, active: bool) -> None:
    user = user_by_username(username)
    if user is None:
        raise click.ClickException(f"No account is named {username}.")
    try:
        set_active(user, active)
    except AccountError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"{'Reactivated' if active else 'Deactivated'} {user.username}.")


@users_group.command("deactivate")
@click.argument("username")
def users_deactivate(username: str) -> None:
    """Deactivate an account: it can no longer sign in or use its API tokens."""
    _switch(username, False)


@users_group.command("activate")
@click.argument("username")
def users_activate(username: str) -> None:
    """Reactivate a deactivated account."""
    _switch(username, True)


@click.group("org", cls=AppGroup)
def org_group() -> None:
    """Provinces, units (communes, wards, special zones) and schools."""


@org_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def org_import(file: str) -> None:
    """Import FILE (CSV or XLSX, header province,unit,unit_kind,school_code,school_name,level).
    Nothing is imported if any row is bad; every bad row is listed."""
    path = Path(file)
    try:
        counts = import_org(path.read_bytes(), path.name)
    except OrgFileError as exc:
        click.echo(exc.message, err=True)
        for problem in (p for p in exc.rows if p.row):  # row 0: the whole file, said above
            click.echo(f"  row {problem.row}, {problem.field}: {problem.message}", err=True)
        raise SystemExit(1) from None
    click.echo(f"{counts['schools']} school(s) in {counts['units']} unit(s): "
               f"{counts['created']} created, {counts['updated']} updated "
               f"({counts['unchanged']} already up to date).")
