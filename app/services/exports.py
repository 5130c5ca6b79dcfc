"""Exports: a frozen version rendered as Word, PDF or Markdown, stored with its sha256.

A file is written under `<exports_dir>/<paper>/<version>/` (a temporary file, then a rename,
so no reader ever sees half a file), named by its content, and recorded with its sha256,
size, options, maker and time. The same version and options give the same bytes, so asking
again returns the export already made. A download re-checks the sha256 and refuses a file
that no longer matches: what is circulated is what was recorded.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select, update

from app import export
from app.db import after_commit, session, utcnow
from app.errors import message
from app.export import annexes as annexes_export
from app.export.formats import COMMENTS, FORMATS, REDLINE, TOC, supporting
from app.models import (
    ActivityAction,
    Comment,
    CommentStatus,
    Export,
    ExportJob,
    ExportJobStatus,
    Paper,
    Role,
    Sector,
    User,
    Version,
)
from app.services import activity, alignment, rounds, signoff
from app.services.access import get_paper
from app.services.errors import BadInput, Conflict, DomainError, Invalid, NotFound
from app.services.revisions import sha256_text
from app.services.versions import frozen_texts, get_version

log = logging.getLogger(__name__)

# The formats a version is rendered to (app/export/formats.py); the comment matrix is made by
# review rounds.
MEDIA_TYPES = {
    fmt.name: fmt.media_type  # werkzeug adds the one charset to a text/ type
    for fmt in FORMATS.values()
}
DOCUMENT_FORMATS = list(FORMATS)
# Converted sections are cached by content under the exports folder, shared by every process.
CACHE_FOLDER = ".cache"
_CHUNK = 1 << 20
# The options key that records the digest of an export's inputs (not shown by the API).
SOURCE_KEY = "source_sha256"


def build_document(version: Version, *, with_comments: bool = False) -> export.VersionDocument:
    """The version as the export library takes it: the frozen texts in order, the sign-off
    rows, and (when asked) the open comments on the frozen texts.
    """
    paper = session.get(Paper, version.paper_id)
    frozen = frozen_texts(version)
    sections = tuple(
        export.ExportSection(
            number=entry.number,
            title=entry.title,  # taken in the paper's language when the version was frozen
            level=entry.number.count(".") + 1,
            body=revision.body if revision else "",
            revision_sha256=revision.sha256 if revision else sha256_text(""),
            key=str(entry.section_id),
        )
        for entry, revision in frozen
    )
    signoffs = tuple(
        export.SignoffRow(
            name=entry.signatory.name,
            sector=entry.signatory.sector.code,
            position=entry.position,
            recorded_at=entry.recorded_at,
            reason=entry.reason,
            job_title=entry.signatory.job_title or "",
        )
        for entry in signoff.ballot(version)
    )
    return export.VersionDocument(
        paper_title=paper.title,
        language=paper.language,
        version_label=version.label,
        version_sha256=version.sha256,
        frozen_at=version.created_at,
        signed_off=version.signed_off_at is not None,
        signoffs=signoffs,
        sections=sections,
        annexes=annexes(paper, version),
        open_comments=_open_comments(frozen) if with_comments else (),
        override_reason=version.override_reason,
        authors=tuple(sorted(m.user.name for m in paper.members if m.role == Role.COORDINATOR)),
        subject=paper.description,
        keywords=tuple(framework.code for framework in paper.frameworks),
        sector_name=_lead_sector_name(paper),
        document_symbol=paper.document_symbol or "",
        disclaimer=export.labels(paper.language)["disclaimer_text"] if paper.disclaimer else "",
        numbered_paragraphs=paper.numbered_paragraphs,
        acronyms=_acronyms(paper),
        paper_id=paper.id,
        version_id=version.id,
    )


NO_SETTINGS = {"document_symbol": "", "disclaimer": False, "numbered_paragraphs": False}


def document_settings(doc: export.VersionDocument) -> dict[str, str | bool]:
    """The paper's document settings a rendering used, as an export records them."""
    return {
        "document_symbol": doc.document_symbol,
        "disclaimer": bool(doc.disclaimer),
        "numbered_paragraphs": doc.numbered_paragraphs,
    }


def _lead_sector_name(paper: Paper) -> str:
    """The name of the sector that leads the paper: its first coordinator's."""
    coordinators = sorted(
        (m for m in paper.members if m.role == Role.COORDINATOR), key=lambda m: m.id
    )
    if not coordinators:
        return ""
    sector = coordinators[0].user.sector
    return sector.name_fr if paper.language == "fr" else sector.name_en


def _acronyms(paper: Paper) -> tuple[tuple[str, str], ...]:
    """Every sector's and every framework's code with its name; the export lists the used ones."""
    french = paper.language == "fr"
    sectors = session.scalars(select(Sector).order_by(Sector.code))
    found = [(s.code, s.name_fr if french else s.name_en) for s in sectors]
    found += [(f.code, f.title_fr if french else f.title_en) for f in paper.frameworks]
    return tuple(found)


def annexes(paper: Paper, version: Version) -> tuple[export.Annex, ...]:
    """The alignment matrix and the comment resolution matrix as they stood when the version
    was frozen (so a version always exports the same), each only if it has something in it.
    """
    language = "fr" if paper.language == "fr" else "en"
    found = []
    if alignment.has_decisions(paper, as_of=version.created_at):
        matrix = alignment.alignment_matrix(paper, as_of=version.created_at)
        frameworks = [
            annexes_export.AnnexFramework(
                framework.code,
                framework.title_fr if language == "fr" else framework.title_en,
                tuple(
                    annexes_export.AnnexItem(item.code, item.title(language))
                    for item in matrix.items
                    if item.framework is framework
                ),
            )
            for framework in matrix.frameworks
        ]
        entries = [
            annexes_export.AlignmentEntry(
                section_number=row.section.number if row.section else None,
                section_title=row.section.title(language) if row.section else "",
                item_code=code,
                status=status,
                rationale=matrix.decisions[(row.section_id, code)].rationale,
                quote=matrix.decisions[(row.section_id, code)].quote_exact,
            )
            for row in [matrix.whole_paper, *matrix.rows]
            for code, status in row.cells.items()
            if status is not None
        ]
        found.append(annexes_export.alignment_annex(frameworks, entries, language))
    rows = [
        annexes_export.CommentEntry(
            number=entry.comment_id,
            section_number=entry.section_number,
            section_title=entry.section_title,
            sector=entry.sector,
            author=entry.author,
            created_at=entry.created_at,
            passage=entry.passage,
            type=entry.type,
            comment=entry.comment,
            proposed_change=entry.proposed_change,
            decision=entry.decision,
            rationale=entry.rationale,
        )
        for entry in rounds.matrix(paper, as_of=version.created_at)
    ]
    comments = annexes_export.comment_annex(rows, language)
    if comments is not None:
        found.append(comments)
    return tuple(found)


def _open_comments(frozen) -> tuple[export.OpenComment, ...]:
    """The open comments made on the frozen revision of a section or on an earlier one.

    A comment made on a later revision quotes text this version does not hold, so it is
    left out. Revision ids grow with every save, so "earlier" is a comparison of ids.
    """
    frozen_revision = {entry.section_id: (entry, revision) for entry, revision in frozen}
    rows = session.scalars(
        select(Comment)
        .where(
            Comment.section_id.in_(list(frozen_revision)),
            Comment.status == CommentStatus.OPEN,
        )
        .order_by(Comment.id)
    )
    comments = []
    for comment in rows:
        entry, revision = frozen_revision[comment.section_id]
        if revision is None or comment.revision_id > revision.id:
            continue
        comments.append(
            export.OpenComment(
                id=comment.id,
                section_number=entry.number,
                author=comment.author.name,
                sector=comment.sector.code,
                exact=comment.quote_exact,
                prefix=comment.quote_prefix or "",
                suffix=comment.quote_suffix or "",
                body=comment.body,
                proposed_text=comment.proposed_text,
                created_at=comment.created_at,
            )
        )
    return tuple(comments)


def create_export(
    version: Version,
    actor: User | None,
    fmt: str,
    *,
    exports_dir: Path,
    toc: bool = False,
    comments: bool = False,
    redline_against: int | None = None,
) -> tuple[Export, bool]:
    """Render the version and record the file; returns (export, created).

    Any member of the paper may export (an observer too: circulating is reading); `actor`
    None is the command line. An identical export already made is returned, not repeated.
    """
    if actor is not None:
        get_paper(version.paper_id, actor)
    earlier = _check_options(version, fmt, toc=toc, comments=comments, against=redline_against)
    signed_off = version.signed_off_at is not None
    doc = build_document(version, with_comments=comments)
    # The paper's document settings are read now, not frozen with the version (a symbol is
    # often given after sign-off): the export records the ones it used, so a file made with
    # other settings is another export, never the same one changed.
    options = {
        "toc": toc,
        "comments": comments,
        "redline_against": redline_against,
        "signed_off": signed_off,
        **document_settings(doc),
    }
    against = build_document(earlier) if earlier else None
    render_options = export.ExportOptions(toc=toc, comments=comments, redline_against=against)
    # What the file is made of, read before rendering: an export made from the same inputs
    # (the version's texts, ballot, annexes and comments, the options) is answered at once.
    options[SOURCE_KEY] = _source_digest(fmt, doc, render_options)
    found = _existing_export(version, fmt, options, Path(exports_dir))
    if found is not None:
        return found, False
    try:
        data = export.render(doc, fmt, render_options, cache_dir=Path(exports_dir) / CACHE_FOLDER)
    except export.RenderLimit as error:
        log.warning("export of version %s as %s stopped: %s", version.id, fmt, error)
        reason = "render_too_slow" if error.kind == "time" else "render_too_large"
        raise Invalid(reason, tool=error.tool, limit=error.limit) from error
    except export.ExportError as error:
        log.exception("export of version %s as %s failed", version.id, fmt)
        raise Invalid(
            "export_failed", label=version.label, format=fmt, detail=str(error)
        ) from error

    digest = hashlib.sha256(data).hexdigest()
    # Named by content too: identical bytes land on one file, different ones never clash,
    # and writing it again restores a file that was changed on disk.
    stem = Path(download_name(version, fmt, draft=not signed_off)).stem
    relative = Path(str(version.paper_id), str(version.id), f"{stem}-{digest[:12]}.{fmt}")
    _write_atomically(Path(exports_dir) / relative, data)

    # Decide reuse under the version's row lock, so two identical requests make one row.
    session.execute(select(Version.id).where(Version.id == version.id).with_for_update())
    existing = session.scalars(
        select(Export).where(
            Export.version_id == version.id, Export.format == fmt, Export.sha256 == digest
        )
    )
    for made in existing:
        # An export made before the document settings existed was made without them.
        if {**NO_SETTINGS, **made.options} == options:
            return made, False

    made = Export(
        version_id=version.id,
        format=fmt,
        options=options,
        path=relative.as_posix(),
        sha256=digest,
        size=len(data),
        created_by_id=actor.id if actor else None,
    )
    session.add(made)
    session.flush()
    activity.record(
        actor,
        ActivityAction.EXPORT_CREATED,
        made,
        paper_id=version.paper_id,
        after={"version_id": version.id, "format": fmt, "options": options, "sha256": digest},
    )
    return made, True


def _source_digest(fmt: str, doc: export.VersionDocument, options: export.ExportOptions) -> str:
    """A digest of everything an export is rendered from (frozen dataclasses: a stable repr)."""
    return hashlib.sha256(repr((fmt, doc, options)).encode()).hexdigest()


def _existing_export(version: Version, fmt: str, options: dict, exports_dir: Path):
    """The export already made from the same inputs whose file is still intact, if any."""
    for made in session.scalars(
        select(Export)
        .where(Export.version_id == version.id, Export.format == fmt)
        .order_by(Export.id.desc())
    ):
        if made.options == options and _intact(made, exports_dir):
            return made
    return None


def _intact(made: Export, exports_dir: Path) -> bool:
    """Whether the export's file is on disk with its recorded sha256 (else render it again)."""
    digest = hashlib.sha256()
    try:
        with (exports_dir / made.path).open("rb") as file:
            while chunk := file.read(_CHUNK):
                digest.update(chunk)
    except OSError:
        return False
    return digest.hexdigest() == made.sha256


def _check_options(
    version: Version, fmt: str, *, toc: bool, comments: bool, against: int | None
) -> Version | None:
    """Refuse options the format cannot honour; returns the version to redline against."""
    if fmt not in FORMATS:
        raise BadInput("export_format", format=fmt, formats=list(DOCUMENT_FORMATS))
    honoured = FORMATS[fmt].options
    if (comments and COMMENTS not in honoured) or (against is not None and REDLINE not in honoured):
        raise BadInput("export_word_only", formats=supporting(COMMENTS))
    if toc and TOC not in honoured:
        raise BadInput("export_no_toc", format=fmt, formats=supporting(TOC))
    if against is None:
        return None
    earlier = session.get(Version, against)
    if earlier is None or earlier.paper_id != version.paper_id or earlier.id >= version.id:
        raise Invalid("redline_not_earlier", version=against)
    return earlier


def download_name(version: Version, extension: str, *, draft: bool) -> str:
    """What the reader's browser saves the file as: paper-title-v0.3-draft.docx."""
    paper = session.get(Paper, version.paper_id)
    title = _slug(paper.title)[:60].strip("-.")
    return f"{title}-{_slug(version.label)}{'-draft' if draft else ''}.{extension}"


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9.]+", "-", ascii_text.lower()).strip("-.") or "untitled"


def _write_atomically(path: Path, data: bytes) -> None:
    """Write beside the target and rename over it: readers see the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def get_export(export_id: int, user: User) -> Export:
    """The export, if the user may read its paper."""
    made = session.get(Export, export_id)
    if made is None:
        raise NotFound("export", id=export_id)
    get_version(made.version_id, user)
    return made


def list_exports(version: Version) -> list[Export]:
    """Every export made from the version, oldest first."""
    return list(
        session.scalars(select(Export).where(Export.version_id == version.id).order_by(Export.id))
    )


@dataclass(frozen=True)
class Download:
    """An export's file, open and checked, with what a browser needs to save it."""

    file: BinaryIO
    name: str
    media_type: str
    sha256: str
    size: int


def open_download(made: Export, exports_dir: Path) -> Download:
    """Open the export's file after checking it still has the sha256 recorded when it was
    made; a file that was changed or lost is refused with a Conflict.
    """
    path = Path(exports_dir) / made.path
    try:
        file = path.open("rb")
    except FileNotFoundError:
        raise Conflict("export_file_missing", {"path": made.path}, export=made.id) from None
    digest = hashlib.sha256()
    # Hash the very file object that will be sent, so a swap after the check goes unsent.
    while chunk := file.read(_CHUNK):
        digest.update(chunk)
    if digest.hexdigest() != made.sha256:
        file.close()
        raise Conflict(
            "export_file_changed",
            {"expected_sha256": made.sha256, "found_sha256": digest.hexdigest()},
            export=made.id,
        )
    file.seek(0)
    version = session.get(Version, made.version_id)
    draft = not (made.options or {}).get("signed_off", False)
    return Download(
        file=file,
        name=download_name(version, Path(made.path).suffix.lstrip("."), draft=draft),
        media_type=MEDIA_TYPES.get(made.format, "application/octet-stream"),
        sha256=made.sha256,
        size=made.size,
    )


# --- export jobs: the worker makes the file ------------------------------------------------

# A job the worker started this long ago and never finished (the worker was killed) fails.
STALE_AFTER = timedelta(minutes=15)


def request_export(
    version: Version,
    actor: User,
    fmt: str,
    *,
    toc: bool = False,
    comments: bool = False,
    redline_against: int | None = None,
) -> ExportJob:
    """Queue an export of the version for the worker; options are checked now, so a request
    the format cannot honour is refused at once."""
    get_paper(version.paper_id, actor)
    _check_options(version, fmt, toc=toc, comments=comments, against=redline_against)
    job = ExportJob(
        version_id=version.id,
        format=fmt,
        options={"toc": toc, "comments": comments, "redline_against": redline_against},
        status=ExportJobStatus.QUEUED,
        requested_by_id=actor.id,
    )
    session.add(job)
    session.flush()
    after_commit(_enqueue_export, job.id)
    return job


def _enqueue_export(job_id: int) -> None:
    from app import worker

    worker.enqueue_export(job_id)


def get_export_job(job_id: int, user: User) -> ExportJob:
    """The job, if the user may read its version."""
    job = session.get(ExportJob, job_id)
    if job is None:
        raise NotFound("export_job")
    get_version(job.version_id, user)
    return job


def run_export_job(job_id: int, exports_dir: Path) -> ExportJob | None:
    """Make the job's export (the worker). Taken once: a job already taken is left alone.
    A failure (a pandoc error, a timeout) is recorded with its reason and not retried."""
    taken = session.execute(
        update(ExportJob)
        .where(ExportJob.id == job_id, ExportJob.status == ExportJobStatus.QUEUED)
        .values(status=ExportJobStatus.RUNNING, started_at=utcnow())
    ).rowcount
    session.commit()
    if not taken:
        return None
    job = session.get(ExportJob, job_id)
    session.refresh(job)
    version = session.get(Version, job.version_id)
    actor = session.get(User, job.requested_by_id) if job.requested_by_id else None
    try:
        made, _created = create_export(
            version,
            actor,
            job.format,
            exports_dir=exports_dir,
            toc=job.options.get("toc", False),
            comments=job.options.get("comments", False),
            redline_against=job.options.get("redline_against"),
        )
    except Exception as error:  # every failure is recorded: the job must not stay running
        session.rollback()
        log.warning("export job %s failed: %s", job_id, error)
        job = session.get(ExportJob, job_id)
        job.status = ExportJobStatus.FAILED
        said = message(error, "en") if isinstance(error, DomainError) else str(error)
        job.reason = (said or type(error).__name__)[:2000]
        job.finished_at = utcnow()
        session.commit()
        return job
    job.status = ExportJobStatus.READY
    job.export_id = made.id
    job.finished_at = utcnow()
    session.commit()
    return job


def run_queued_jobs(exports_dir: Path, *, now=None) -> int:
    """What the worker's sweep does: fail jobs a killed worker left running, then make every
    queued one (a lost nudge loses no export). Returns how many were run."""
    now = now or utcnow()
    session.execute(
        update(ExportJob)
        .where(
            ExportJob.status == ExportJobStatus.RUNNING, ExportJob.started_at < now - STALE_AFTER
        )
        .values(
            status=ExportJobStatus.FAILED,
            reason="the worker stopped while making this export",
            finished_at=now,
        )
    )
    session.commit()
    queued = session.scalars(
        select(ExportJob.id)
        .where(ExportJob.status == ExportJobStatus.QUEUED)
        .order_by(ExportJob.id)
    ).all()
    for job_id in queued:
        run_export_job(job_id, exports_dir)
    return len(queued)
