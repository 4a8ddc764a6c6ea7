"""``flask`` commands for maintenance by hand."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from .bank import BankError, QuizInvalid, check_bank, import_bank, load_quiz_file
from .bank.formats import FORMATS, QuizFileError, read_quiz, store_new, stored_dict, write_quiz
from .extensions import db
from .models import Quiz
from .services.accounts import AccountError, create_account, set_active, user_by_username
from .services.org import OrgFileError, import_org
from .services.records import purge_older_than
from .services.setup import bootstrap
from .sync.cli import sync_group


def init_app(app: Flask) -> None:
    app.cli.add_command(setup_command)
    app.cli.add_command(quiz_group)
    app.cli.add_command(users_group)
    app.cli.add_command(records_group)
    app.cli.add_command(org_group)
    app.cli.add_command(sync_group)


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
@click.argument("path", required=False, type=click.Path(exists=True))
@click.option("--draft", is_flag=True, help="A single file: keep the quiz a draft of --owner.")
@click.option("--owner", "owner_name", default=None,
              help="A single file: the account that owns the quiz (its username).")
def quiz_import(path: str | None, draft: bool, owner_name: str | None) -> None:
    """Validate and import every quiz file in PATH, a folder (default: questions/); or import
    PATH, one quiz file (.yaml, .json, .csv, .xlsx or Kahoot's template), as a new quiz."""
    target = Path(path or current_app.config["QUESTIONS_DIR"])
    if target.is_dir():
        if draft or owner_name:
            raise click.UsageError("--draft and --owner are for a single file.")
        try:
            created, updated = import_bank(target)
        except BankError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"{created} added, {updated} updated.")
        return
    owner = None
    if owner_name:
        owner = user_by_username(owner_name)
        if owner is None:
            raise click.ClickException(f"No account is named {owner_name}.")
    if draft and owner is None:
        raise click.UsageError("A draft needs its owner: --owner USERNAME.")
    try:
        result = read_quiz(target.name, target.read_bytes())
    except QuizFileError as exc:
        click.echo(f"{target.name}: {exc.message}", err=True)
        for problem in exc.rows:
            click.echo(f"  {problem.describe()}", err=True)
        raise SystemExit(1) from None
    quiz = store_new(result.quiz, owner.id if owner else None,
                     status="draft" if draft else "published")
    for note in result.notes:
        click.echo(note)
    click.echo(f"Imported {quiz.slug}: {quiz.question_count} question(s), {quiz.status}.")


@quiz_group.command("export")
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="yaml", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="The file to write (default: standard output, for the text formats).")
def quiz_export(slug: str, fmt: str, output: str | None) -> None:
    """Write the quiz SLUG as a file; importing it gives the same quiz."""
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == slug))
    if quiz is None:
        raise click.ClickException(f"No quiz has the slug {slug}.")
    body, _mimetype, _name = write_quiz(stored_dict(quiz), fmt)
    if output:
        Path(output).write_bytes(body)
        click.echo(f"Wrote {output}.", err=True)
    elif fmt == "xlsx":
        raise click.UsageError("An .xlsx is not text: write it to a file with -o FILE.")
    else:
        stdout = click.get_binary_stream("stdout")
        stdout.write(body)  # the file's very bytes, as -o would write them
        stdout.flush()


@quiz_group.command("check")
@click.argument("directory", required=False, type=click.Path(exists=True, file_okay=False))
def quiz_check(directory: str | None) -> None:
    """Check every quiz file in DIRECTORY (default: questions/) and the folder as a whole;
    print every problem (exit code 1), or a summary."""
    folder = Path(directory or current_app.config["QUESTIONS_DIR"])
    lines: list[str] = []
    failed: list[str] = []  # each failing file's own message, as check_bank says it too
    for path in sorted(folder.glob("*.y*ml")):
        try:
            load_quiz_file(path)
        except QuizInvalid as exc:
            failed.append(str(exc))
            lines += [f"{path.name}: {p.describe()}" for p in exc.problems]
        except BankError as exc:
            failed.append(str(exc))
            lines.append(str(exc))
    try:
        quizzes = check_bank(folder)
    except BankError as exc:
        rest = str(exc)
        for text in failed:
            rest = rest.replace(text, "", 1)
        lines += [line for line in rest.split("\n") if line.strip()]
        for line in lines:
            click.echo(line)
        click.echo(f"{len(lines)} problem(s) in {folder}.", err=True)
        raise SystemExit(1) from None
    questions = sum(len(q.questions) for q in quizzes)
    click.echo(f"{len(quizzes)} quiz file(s), {questions} question(s): no problems.")


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
