"""``flask --app wsgi sync pull|push|export``: the field laptop's commands."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from . import client


@click.group("sync", cls=AppGroup)
def sync_group() -> None:
    """A field laptop and its central server."""


@sync_group.command("pull")
@click.option("--from", "url", default=None,
              help="The central server's address (default: the one this laptop is linked to).")
@click.option("--token", default=None, help="A presenter's API token on the central server.")
def sync_pull(url: str | None, token: str | None) -> None:
    """Bring units, schools and published quizzes from the central server, and link this
    laptop to it (later pushes and exports need no arguments)."""
    try:
        counts = client.pull(url, token)
    except client.SyncError as exc:
        raise click.ClickException(exc.message) from None
    stored = client.link() or {}
    who = (stored.get("user") or {}).get("username") or "?"
    click.echo(f"Linked to {stored.get('url')} as {who}: {counts['units']} unit(s), "
               f"{counts['schools']} school(s), {counts['quizzes']} quiz(zes) brought in.")
    for slug in counts["kept"]:
        click.echo(f"  kept this laptop's own quiz {slug} (the central server has one of the "
                   "same slug)")
    if counts["skipped"]:
        click.echo(f"  {counts['skipped']} item(s) skipped: not valid here.")


@sync_group.command("push")
@click.option("--to", "url", default=None,
              help="The central server's address (default: the one this laptop is linked to).")
@click.option("--token", default=None, help="A presenter's API token on the central server.")
def sync_push(url: str | None, token: str | None) -> None:
    """Send every finished session the central server has not accepted yet, one at a time.
    Exit code 0 when every finished session is there."""
    try:
        report = client.push(url, token, echo=click.echo)
    except client.SyncError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"{report.sent} session(s) sent, {report.already} already there, "
               f"{len(report.refused)} refused, {len(report.failed)} failed, "
               f"{report.waiting} still waiting ({report.url}).")
    if not report.complete:
        raise SystemExit(1)


@sync_group.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
def sync_export(file: str) -> None:
    """Write every finished session the central server has not accepted yet into FILE, a signed
    bundle for the central server's admin to import (for a laptop that never gets online)."""
    try:
        data, count = client.export()
    except client.SyncError as exc:
        raise click.ClickException(exc.message) from None
    if not count:
        click.echo("Nothing to export: the central server has every finished session.")
        return
    Path(file).write_bytes(data)
    click.echo(f"Wrote {count} session(s) to {file} ({len(data)} bytes).")
