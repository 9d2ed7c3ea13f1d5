"""The ``catalogue`` command: the app's Flask command group with the catalogue's commands.

``catalogue db upgrade`` comes from Flask-Migrate; ``catalogue run`` serves for development.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from catalogue.models import Role
from catalogue.services.accounts import users as accounts
from catalogue.services.errors import ServiceError
from catalogue.services.identity import SYSTEM


def _fail(error: ServiceError) -> None:
    raise click.ClickException(
        error.detail if not getattr(error, "errors", None) else f"{error.detail} {error.errors}"
    )


# AppGroup runs each command inside the app context, however the group is invoked.
users = AppGroup("users", help="Manage user accounts.")
tokens = AppGroup("tokens", help="Manage API tokens.")
demo = AppGroup("demo", help="The demo collection.")
search = AppGroup("search", help="The full-text search index.")
media = AppGroup("media", help="Media files.")
oai = AppGroup("oai", help="The OAI-PMH repository.")
authorities = AppGroup("authorities", help="Terms, agents, places, collections, locations.")


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--password", help="At least 12 characters; generated and printed if omitted.")
@click.option("--name", help="The person's name.")
def create_user(email: str, role: str, password: str | None, name: str | None) -> None:
    """Create a user who can sign in with EMAIL and a password."""
    generated = password is None
    password = password or secrets.token_urlsafe(15)
    try:
        user = accounts.create_user(SYSTEM, email, role, password, name)
    except ServiceError as error:
        _fail(error)
    click.echo(f"Created {user.role} {user.email}.")
    if generated:
        click.echo(f"Password (shown once): {password}")


@users.command("set-password")
@click.argument("email")
@click.option("--password", help="At least 12 characters; generated and printed if omitted.")
def set_password(email: str, password: str | None) -> None:
    """Give EMAIL a new password; every page session of that user ends."""
    generated = password is None
    password = password or secrets.token_urlsafe(15)
    try:
        user = accounts.set_password(SYSTEM, accounts.find_user(email).id, password)
    except ServiceError as error:
        _fail(error)
    click.echo(f"New password set for {user.email}; their sessions have ended.")
    if generated:
        click.echo(f"Password (shown once): {password}")


@tokens.command("create")
@click.argument("email")
@click.option("--name", help="What the token is for, e.g. 'website sync'.")
def create_token(email: str, name: str | None) -> None:
    """Print a new API token for EMAIL. It is shown once and stored only as a hash."""
    try:
        token = accounts.create_token(SYSTEM, email, name)
    except ServiceError as error:
        _fail(error)
    click.echo(token)


@tokens.command("revoke")
@click.argument("email")
def revoke_tokens(email: str) -> None:
    """Revoke every API token of EMAIL."""
    try:
        count = accounts.revoke_tokens(SYSTEM, email)
    except ServiceError as error:
        _fail(error)
    click.echo(f"Revoked {count} token(s).")


@demo.command("load")
@click.option("--if-empty", is_flag=True, help="Only when the catalogue has no objects yet.")
def load_demo(if_empty: bool) -> None:
    """Load the demo collection (idempotent: records already there are kept)."""
    from catalogue import demo as dataset

    if if_empty and not dataset.catalogue_is_empty():
        click.echo("The catalogue has objects already; demo not loaded.")
        return
    try:
        report = dataset.load()
    except ServiceError as error:
        _fail(error)
    created = ", ".join(f"{n} {k}" for k, n in report.created.items()) or "nothing"
    click.echo(f"Demo collection: created {created}.")


@demo.command("images")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def write_demo_images(folder: Path) -> None:
    """Write the demo's illustrative images (drawn, labelled as demo material) into FOLDER."""
    from catalogue.demo import images

    written = images.write(folder)
    click.echo(f"Wrote {len(written)} demo images into {folder}.")


@search.command("reindex")
@click.option("--procs", type=int, default=None, help="Indexing processes (default: CPU count).")
def search_reindex(procs: int | None) -> None:
    """Rebuild the index into a fresh directory and swap it in; search keeps answering."""
    from catalogue.services.search import backends
    from catalogue.services.search import sync as index_sync

    procs = procs or os.cpu_count() or 1
    with click.progressbar(length=index_sync.object_count(), label="Indexing objects") as bar:
        count = backends.current().reindex(procs=procs, on_progress=bar.update)
    click.echo(f"Indexed {count} objects with {procs} process(es).")


@search.command("verify")
def search_verify() -> None:
    """Report objects missing from, stale in, or extra in the index (exit 1 if any)."""
    from catalogue.services.search import backends

    report = backends.current().verify()
    for kind, ids in report.items():
        for object_id in ids:
            click.echo(f"{kind}\t{object_id}")
    summary = ", ".join(f"{len(ids)} {kind}" for kind, ids in report.items())
    click.echo(f"Search index: {summary}.")
    if any(report.values()):
        raise SystemExit(1)


@search.command("sync")
def search_sync() -> None:
    """Apply every change the index has not seen yet (after a crash, say)."""
    from catalogue.services.search import backends

    count = backends.current().catch_up(None)
    click.echo(f"Applied {count} change(s) to the search index.")


@search.command("follow")
@click.option("--poll", type=float, help="Seconds between looks at the log when not woken.")
def search_follow(poll: float | None) -> None:
    """Keep this node's index up with the change log until stopped (SIGTERM or Ctrl-C).

    On PostgreSQL each commit wakes it; it polls every SEARCH_FOLLOW_POLL_SECONDS as well.
    A second follower of the same index directory waits until the first stops.
    """
    import signal
    import time

    from flask import current_app

    from catalogue.services.search import backends, follow

    def interrupt(_signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    if not backends.current().per_node:
        # Nothing to follow: every write updates the search table in its own transaction.
        click.echo("SEARCH_BACKEND=postgresql keeps search current in each commit; idle.")
        try:
            while True:
                time.sleep(60)
        except KeyboardInterrupt:
            click.echo("Stopped.")
        return
    click.echo(f"Following the change log into {current_app.config['SEARCH_INDEX_DIR']}.")
    try:
        follow.run(poll_seconds=poll, procs=os.cpu_count() or 1)
    except KeyboardInterrupt:
        click.echo("Stopped.")


@media.command("verify")
@click.option("--remove-orphans", is_flag=True, help="Delete stored files that no media uses.")
def verify_media(remove_orphans: bool) -> None:
    """Re-read every stored file and compare its SHA-256; report missing, corrupt, orphans.

    Exits with status 1 when anything is wrong (orphans removed with --remove-orphans are
    not counted as wrong).
    """
    from catalogue.services.media import fixity

    report = fixity.verify(SYSTEM, remove_orphans)
    for label, items in (
        ("missing", report.missing),
        ("corrupt", report.corrupt),
        ("orphan", report.orphans),
        ("removed", report.removed),
    ):
        for item in items:
            click.echo(f"{label}: {item}")
    click.echo(
        f"Checked {report.checked} media: {len(report.missing)} missing, "
        f"{len(report.corrupt)} corrupt, {len(report.orphans)} orphan file(s)"
        + (f", {len(report.removed)} removed." if remove_orphans else ".")
    )
    if not report.ok:
        raise SystemExit(1)


@oai.command("rebuild")
@click.option("--all", "everything", is_flag=True, help="Every public object, not only stale ones.")
def oai_rebuild(everything: bool) -> None:
    """Store the OAI-PMH payloads that are missing or of an older format (after an upgrade)."""
    from catalogue.extensions import db
    from catalogue.services import uow
    from catalogue.services.oai import payloads

    count = payloads.rebuild(db.session, stale_only=not everything)
    uow.commit()
    click.echo(f"Built the OAI-PMH payloads of {count} object(s).")


@authorities.command("refresh")
def authorities_refresh() -> None:
    """Store again what lists search and sort by (after changing DEFAULT_LANGUAGE)."""
    from catalogue.services.authorities import records

    count = records.refresh_label_keys(SYSTEM)
    click.echo(f"Refreshed the search text and sort key of {count} authority(ies).")


@click.command("worker")
@click.option("--until-empty", is_flag=True, help="Stop once no job is due (a one-off run).")
@with_appcontext
def background_worker(until_empty: bool) -> None:
    """Run background jobs (imports committed through the API...) until stopped.

    Any number of workers may run, on any node: each job runs once at a time, a failed one
    is tried again later, and a job whose worker was killed is taken over by another after
    BACKGROUND_LEASE_SECONDS. SIGTERM or Ctrl-C stops it once the current job is done; a
    second one stops it at once (the job is then taken over).
    """
    import signal
    import threading

    from catalogue.services.background import jobs, worker

    stop = threading.Event()

    def interrupt(_signum, _frame):
        if stop.is_set():
            raise KeyboardInterrupt
        click.echo("Stopping once the current job is done.")
        stop.set()

    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)
    queue = "procrastinate (PostgreSQL)" if jobs.on_postgresql() else "the local queue (SQLite)"
    click.echo(f"Running background jobs from {queue}.")
    with contextlib.suppress(KeyboardInterrupt):
        worker.run(stop, until_empty=until_empty)
    click.echo("Stopped.")


def register(app: Flask) -> None:
    from catalogue.cli_exchange import COMMANDS

    for group in (users, tokens, demo, media, search, oai, authorities, *COMMANDS):
        app.cli.add_command(group)
    app.cli.add_command(background_worker)
