"""The `plume` command line (also `flask --app wsgi ...`).

Each command runs in one transaction: it commits when it succeeds and writes nothing
when it fails, with a message and a non-zero exit.
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from app.db import session
from app.services import access, exports, papers, reference, users, versions
from app.services.errors import DomainError


def transactional(command):
    """Commit on success; on a domain error roll back, print it, exit 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            result = command(*args, **kwargs)
            session.commit()
            return result
        except DomainError as error:
            session.rollback()
            raise click.ClickException(error.message) from None
        except BaseException:
            session.rollback()
            raise

    return with_appcontext(wrapper)


@click.group("db")
def db_group():
    """Create or migrate the database named by PLUME_DATABASE_URL."""


@db_group.command("upgrade")
@click.argument("revision", default="heads")
@with_appcontext
def db_upgrade(revision):
    """Migrate the database to REVISION (default: the newest)."""
    from app import migrate

    Path(current_app.instance_path).mkdir(parents=True, exist_ok=True)
    migrate.upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"database at {revision}")


@db_group.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision):
    """Migrate the database back to REVISION ("base" empties it)."""
    from app import migrate

    migrate.downgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"database at {revision}")


@click.command("load-reference")
@transactional
def load_reference():
    """Load the shipped sectors and frameworks. Running it twice changes nothing."""
    summary = reference.load_reference(current_app.config["REFERENCE_DIR"])
    frameworks = ", ".join(summary["frameworks_changed"]) or "none"
    click.echo(f"sectors changed: {summary['sectors_changed']}; frameworks changed: {frameworks}")


@click.command("load-framework")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@transactional
def load_framework(file):
    """Load another framework file of the shipped shape, all or nothing."""
    framework, changed = reference.load_framework_file(file)
    state = "loaded" if changed else "already loaded, nothing changed"
    click.echo(f"{framework.code} {framework.version}: {len(framework.items)} items, {state}")


@click.command("import-template")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--language", type=click.Choice(["en", "fr"]), default=None)
@click.option("--coordinator", "coordinator_email", help="E-mail of the paper's coordinator.")
@transactional
def import_template(folder, language, coordinator_email):
    """Create a paper from a template folder; prints the new paper's id last."""
    from app.services.templates import read_template

    coordinator = _user(coordinator_email) if coordinator_email else None
    template = read_template(folder)
    language = language or template.language
    paper = papers.create_paper(coordinator, language=language, template_dir=folder)
    click.echo(f"created paper {paper.id}: {paper.title}")
    untranslated = template.untranslated(language)
    if untranslated:
        click.echo(
            f"warning: the template has no '{language}' text for sections "
            f"{', '.join(untranslated)}: they start in another language",
            err=True,
        )
    click.echo(paper.id)


@click.group("users")
def users_group():
    """Create users and API tokens."""


@users_group.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--sector", "sector_code", required=True, help="Sector code, e.g. CLT or SHS.")
@click.option("--admin", is_flag=True)
@click.option("--password")
@click.option("--token", is_flag=True, help="Also create an API token and print it last.")
@transactional
def users_create(email, name, sector_code, admin, password, token):
    """Create a user; with --token, print a new API token on the last line."""
    user = users.create_user(email, name, sector_code, password=password, is_admin=admin)
    click.echo(f"created user {user.id}: {user.email} ({user.sector.code})")
    if token:
        click.echo(users.create_token(user, "cli"))


@users_group.command("token")
@click.argument("email")
@click.option("--label", default="cli")
@transactional
def users_token(email, label):
    """Print a new API token for an existing user."""
    click.echo(users.create_token(_user(email), label))


@click.group("papers")
def papers_group():
    """Paper membership."""


@papers_group.command("add-member")
@click.argument("paper_id", type=int)
@click.argument("email")
@click.argument("role")
@transactional
def papers_add_member(paper_id, email, role):
    """Give EMAIL a ROLE on a paper: coordinator, author, reviewer, signatory or observer."""
    paper = access.get_paper(paper_id, None)
    papers.add_member(paper, email, role, actor=None)
    click.echo(f"{email} is now {role} of paper {paper_id}")


@click.command("export")
@click.argument("version_id", type=int)
@click.option("--format", "fmt", type=click.Choice(exports.DOCUMENT_FORMATS), required=True)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Also copy the file here (a file name, or a folder to keep the export's name).",
)
@click.option("--toc", is_flag=True, help="Add a table of contents (docx, pdf).")
@click.option("--comments", is_flag=True, help="docx: the open comments as Word comments.")
@click.option(
    "--redline-against",
    type=int,
    metavar="VERSION_ID",
    help="docx: the changes since an earlier version as tracked changes.",
)
@transactional
def export_version(version_id, fmt, out, toc, comments, redline_against):
    """Export a version as docx, pdf or md; prints the sha256 and the file's path last."""
    version = versions.get_version(version_id, None)
    exports_dir = Path(current_app.config["EXPORTS_DIR"])
    made, created = exports.create_export(
        version,
        None,
        fmt,
        exports_dir=exports_dir,
        toc=toc,
        comments=comments,
        redline_against=redline_against,
    )
    path = exports_dir / made.path
    if out is not None:
        # Copy from the checked file, so what lands at --out is what the database recorded.
        download = exports.open_download(made, exports_dir)
        path = out / download.name if out.is_dir() else out
        with download.file as source, path.open("wb") as target:
            shutil.copyfileobj(source, target)
    state = "exported" if created else "already exported, the same file"
    click.echo(f"version {version.label} as {fmt}: {state} (export {made.id}, {made.size} bytes)")
    click.echo(f"{made.sha256}  {path}")


@click.command("import-docx")
@click.argument("paper_id", type=int)
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Report what would come in; write nothing.")
@click.option("--as", "email", help="The uploader (default: the paper's first coordinator).")
@click.option("--round", "round_id", type=int, help="The review round the remarks belong to.")
@click.option(
    "--match",
    type=click.Choice(["bookmarks", "headings"]),
    default="bookmarks",
    show_default=True,
    help="How sections are found: the export's bookmarks, or headings (a file not from Plume).",
)
@click.option("--unplaced-as-section", is_flag=True, help="Unplaced remarks: section comments.")
@transactional
def import_docx(paper_id, file, dry_run, email, round_id, match, unplaced_as_section):
    """Bring a reviewer's returned .docx in: its comments, replies and tracked changes."""
    from app.services import imports

    actor = _user(email) if email else imports.first_coordinator(paper_id)
    if actor is None:
        raise click.ClickException(f"paper {paper_id} has no coordinator: name one with --as")
    report = imports.import_docx(
        paper_id,
        actor,
        file.read_bytes(),
        filename=file.name,
        dry_run=dry_run,
        round_id=round_id,
        match=match,
        unplaced_as_section=unplaced_as_section,
        max_bytes=current_app.config["MAX_UPLOAD_BYTES"],
    )
    for item in report.items:
        where = f"section {item.section_id}" if item.section_id else "no section"
        quote = f" on “{item.quote[:60]}”" if item.quote else ""
        reason = f" ({item.reason})" if item.reason else ""
        click.echo(f"{item.status:<9} {item.kind:<10} {where}{quote} by {item.author}{reason}")
    counts = ", ".join(f"{count} {status}" for status, count in report.counts.items())
    click.echo(f"{'dry run: ' if dry_run else ''}{counts}")


@click.command("demo")
@click.option(
    "--language",
    type=click.Choice(["en", "fr"]),
    default="en",
    show_default=True,
    help="The demo paper's language; each language's paper is made once.",
)
@transactional
def demo(language):
    """Load reference data, the demo users (one per role) and the AI-and-culture paper."""
    from app.services import demo as demo_service

    reference.load_reference(current_app.config["REFERENCE_DIR"])
    paper, logins = demo_service.load_demo(
        Path(current_app.config["DRAFTS_DIR"]), language=language
    )
    click.echo(f"demo paper {paper.id}: {paper.title}")
    for role, email, password in logins:
        click.echo(f"  {role:<12} {email:<28} password: {password}")


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@with_appcontext
def backup(file):
    """Write the whole database to FILE as JSON (- for standard output).

    The file holds password hashes and every draft: only its owner may read it (mode 0600).
    """
    from app.services import backup as backup_service

    if file == "-":
        counts = backup_service.dump(click.get_text_stream("stdout"))
    else:
        handle = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(handle, 0o600)  # an existing file keeps its mode otherwise
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            counts = backup_service.dump(out)
    click.echo(f"backed up {sum(counts.values())} rows from {len(counts)} tables", err=True)


@click.command("restore")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@transactional
def restore(file):
    """Load a backup into an empty, migrated database (run `plume db upgrade` first)."""
    from app.services import backup as backup_service

    counts = backup_service.restore(file)
    click.echo(f"restored {sum(counts.values())} rows into {len(counts)} tables")


def _user(email: str):
    user = users.find_by_email(email)
    if user is None:
        raise click.ClickException(f"no user with e-mail {email}")
    return user


@click.command("worker")
@click.option("--burst", is_flag=True, help="Do what is due (queued tasks, mail) and exit.")
@click.option("--workers", default=2, show_default=True, help="Threads of the long-running worker.")
@with_appcontext
def worker(burst, workers):
    """Run the background worker: mail, reminders, digests, exports, re-anchoring."""
    from app import mail
    from app import worker as background

    app = current_app._get_current_object()
    click.echo(f"queue: {background.describe()}; {mail.describe_transport(app.config)}")
    if burst:
        done = background.run_burst(app)
        click.echo(f"worker: {done} tasks done")
    else:
        background.run_consumer(app, workers=workers)


@click.command("mail-banner")
@with_appcontext
def mail_banner():
    """Say where mail goes and which queue the worker reads (the startup banner)."""
    from app import mail
    from app import worker as background

    click.echo(f"Mail: {mail.describe_transport(current_app.config)}")
    click.echo(f"Worker queue: {background.describe()}")


COMMANDS = [
    db_group,
    load_reference,
    load_framework,
    import_template,
    users_group,
    papers_group,
    export_version,
    import_docx,
    demo,
    backup,
    restore,
    worker,
    mail_banner,
]


def init_app(app) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)


def main() -> None:
    """The `plume` console script."""
    from app import create_app

    cli = FlaskGroup(create_app=create_app, add_default_commands=True, add_version_option=False)
    cli(prog_name="plume", args=sys.argv[1:])
