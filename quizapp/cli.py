"""``flask`` commands for maintenance by hand."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app

from .bank import BankError, import_bank
from .extensions import db
from .services.accounts import create_user
from .services.setup import bootstrap


def init_app(app: Flask) -> None:
    app.cli.add_command(setup_command)
    app.cli.add_command(quiz_group)
    app.cli.add_command(users_group)


@click.command("setup")
def setup_command() -> None:
    """Upgrade the database, import the question bank, create the first admin and demo school."""
    bootstrap(current_app._get_current_object(), echo=click.echo)


@click.group("quiz")
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


@click.group("users")
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
