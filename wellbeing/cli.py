"""Command-line tasks: `flask --app app <command>`."""

from pathlib import Path

import click
from flask import current_app, url_for
from flask.cli import with_appcontext

from . import atrest, db, demo, keys, people
from .db import sqlite3
from .line import rooms


@click.command("migrate")
@with_appcontext
def migrate_command():
    """Apply any pending database migrations."""
    db.migrate(db.get_db())
    click.echo("Database is up to date.")


@click.command("create-organisation")
@with_appcontext
@click.argument("name")
@click.option("--base-url", default=None, help="Where people open the app (WELLBEING_BASE_URL).")
def create_organisation_command(name, base_url):
    """Create an organisation and print its first admin's invitation link."""
    base_url = base_url or current_app.config.get("BASE_URL") or "http://127.0.0.1:5000"
    db.migrate(db.get_db())
    org_id = people.create_organisation(name)
    token = people.create_invitation(org_id, ["admin"])
    with current_app.test_request_context(base_url=base_url):
        link = url_for("accounts.invitation_show", token=token, _external=True)
    click.echo(f"Created '{name}'. Send this one-time link to its first admin (valid 7 days):")
    click.echo(link)


@click.command("demo")
@with_appcontext
def demo_command():
    """Create the demo organisation if the database is empty, and print its sign-ins."""
    db.migrate(db.get_db())
    if demo.create_demo():
        click.echo("Created the demo organisation.")
    if db.get_db()["users"].count_where("email = ?", [demo.DEMO_PEOPLE[0][1]]):
        click.echo(demo.demo_sign_ins())


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False))
def backup_command(path):
    """Write a consistent copy of the live database to PATH, while the app keeps serving."""
    target = Path(path)
    if target.exists():
        raise click.ClickException(f"{path} already exists; choose a new file name.")
    db.backup(str(target.resolve()))
    click.echo(f"Backed up to {path}.")


@click.command("integrity-check")
@with_appcontext
def integrity_check_command():
    """Check the database file page by page; exit 1 if SQLite finds any damage."""
    # docs/operations.md, "SQLite version": the SQLite in use predates the WAL-reset fix, so a
    # daily check finds damage while Litestream still holds a good copy to restore from.
    # Its own connection: it reads the file itself, not pages another connection cached.
    conn, version = sqlite3.connect(current_app.config["DATABASE"]), sqlite3.sqlite_version
    try:
        version = conn.execute("select sqlite_version()").fetchone()[0]
        found = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as error:  # too damaged even to walk
        found = [str(error)]
    finally:
        conn.close()
    if found != ["ok"]:
        for problem in found[:20]:
            click.echo(problem, err=True)
        raise click.ClickException(f"the database is damaged (SQLite {version}); restore it")
    click.echo(f"Database is intact (SQLite {version}).")


@click.command("rotate-key")
@with_appcontext
def rotate_key_command():
    """Start sealing new text with a fresh at-rest key, and re-seal existing text with it."""
    ring_path = Path(current_app.instance_path) / "atrest-keys.json"
    key_id = keys.rotate_key_ring(ring_path)
    current_app.config["ATREST_KEYS"] = keys.load_key_ring(ring_path)
    count = reseal_all()
    click.echo(f"New key {key_id} is current; re-sealed {count} values.")


@click.command("purge-rooms")
@with_appcontext
def purge_rooms_command():
    """Delete training-day rooms kept longer than their organisation's retention time."""
    # docs/design.md "The data rule", class room: deleted automatically after a set time. Room pages
    # do this as they open; this command is for a daily timer, so it happens on quiet days too.
    count = rooms.purge()
    click.echo(f"Deleted {count} training-day room{'' if count == 1 else 's'}.")


# Every sealed column, with the label its value is bound to (wellbeing/atrest.py).
SEALED_COLUMNS = [
    ("pairs", "name_sealed", "pairs.name"),
    ("pairs", "context_sealed", "pairs.context"),
    ("pair_invitations", "name_sealed", "pair_invitations.name"),
    ("conversation_answers", "answers_sealed", "conversation.answers"),
    ("agreement_versions", "strategies_sealed", "agreements.body"),
    ("checkins", "more_sealed", "checkins.more"),
    ("checkins", "less_sealed", "checkins.less"),
    ("checkins", "reply_sealed", "checkins.reply"),
    ("agreement_reviews", "text_sealed", "agreement_reviews.text"),
    ("supervision_meetings", "notes_sealed", "supervision.notes"),
    ("users", "gender_sealed", "users.gender"),  # issue 24: a worker's own optional entry
    ("supervision_notes", "text_sealed", "supervision_notes.text"),
]


def reseal_all() -> int:
    database, count = db.get_db(), 0
    with db.writing():
        for table, column, label in SEALED_COLUMNS:
            for row in database[table].rows:
                if row[column] is None:
                    continue  # an optional column left empty: nothing to reseal
                plain = atrest.unseal(row[column], label)
                database[table].update(row["id"], {column: atrest.seal(plain, label)})
                count += 1
    return count


@click.command("sqlite-version")
@with_appcontext
def sqlite_version_command():
    """Print the SQLite version the app's own connection runs (docs/operations.md)."""
    click.echo(db.sqlite_version())


def init_app(app):
    for command in (
        sqlite_version_command,
        migrate_command,
        create_organisation_command,
        demo_command,
        backup_command,
        integrity_check_command,
        rotate_key_command,
        purge_rooms_command,
    ):
        app.cli.add_command(command)
