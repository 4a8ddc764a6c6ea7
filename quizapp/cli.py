"""``flask`` commands for maintenance by hand."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from .bank import BankError, import_bank
from .extensions import db
from .services.accounts import create_user
from .services.records import purge_older_than
from .services.setup import bootstrap


def init_app(app: Flask) -> None:
    app.cli.add_command(setup_command)
    app.cli.add_command(quiz_group)
    app.cli.add_command(users_group)
    app.cli.add_command(records_group)


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
@click.option("--role", type=click.Choice(["admin", "presenter", "staff"]), default="presenter")
@click.option("--name", "display_name", default="")
@click.password_option()
def users_create(username: str, role: str, display_name: str, password: str) -> None:
    """Create an account."""
    try:
        create_user(username, password, role=role, display_name=display_name)
    except Exception as exc:  # a duplicate username, a bad role
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created {role} {username}.")
