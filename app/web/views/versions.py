"""Versions: freezing one, reading exactly what was frozen, and the sign-off ballot."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _

from app.db import session
from app.errors import message, status_of
from app.services import access, exports, signoff, versions
from app.services.errors import DomainError
from app.web import bp, forms, i18n, render
from app.web.auth import me
from app.web.links import blocker_link


def _next_label(existing: list) -> str:
    """A suggestion for the next label: v0.1, then one more than the last v0.N."""
    for version in reversed(existing):
        head, _dot, tail = version.label.rpartition(".")
        if head and tail.isdigit():
            return f"{head}.{int(tail) + 1}"
    return "v0.1"


def _versions_page(paper_id: int, *, form=None, error=None, blockers=(), status=200):
    user = me()
    paper = access.get_paper(paper_id, user)
    existing = versions.list_versions(paper_id)
    perms = access.permissions(user, paper)
    return render_template(
        "paper/versions.html",
        paper=paper,
        roles=perms.roles,
        versions=[(version, versions.version_state(version)) for version in reversed(existing)],
        may_freeze=perms.may_freeze,
        form=form or {"label": _next_label(existing), "purpose": "review"},
        error=error,
        blockers=[(message(blocker.error), blocker_link(blocker)) for blocker in blockers],
    ), status


@bp.get("/papers/<int:paper_id>/versions")
def paper_versions(paper_id: int):
    return _versions_page(paper_id)


@bp.post("/papers/<int:paper_id>/versions")
def freeze(paper_id: int):
    user = me()
    paper = access.get_paper(paper_id, user)
    form = {name: forms.text(name) for name in ("label", "purpose", "override_reason")}
    try:
        version = versions.freeze_version(
            paper,
            user,
            form["label"],
            purpose=form["purpose"] or "review",
            override_reason=form["override_reason"] or None,
        )
    except DomainError as refused:
        # The form comes back as it was sent, with the refusal (and every blocker) above it.
        session.rollback()
        return _versions_page(
            paper_id,
            form=form,
            error=message(refused),
            blockers=getattr(refused, "blockers", ()),
            status=status_of(refused),
        )
    flash(_("Version %(label)s is frozen.", label=version.label), "success")
    return redirect(url_for("web.version", version_id=version.id))


@bp.get("/versions/<int:version_id>")
def version(version_id: int):
    return _version_page(version_id)


def _version_page(version_id: int, *, form=None, error=None, status=200):
    user = me()
    version = versions.get_version(version_id, user)
    paper = access.get_paper(version.paper_id, user)
    perms = access.permissions(user, paper)
    state = versions.version_state(version)
    texts = [
        (entry, render.markdown(revision.body, heading_offset=3) if revision else None)
        for entry, revision in versions.frozen_texts(version)
    ]
    return render_template(
        "version/show.html",
        paper=paper,
        roles=perms.roles,
        version=version,
        state=state,
        ballot=signoff.ballot(version),
        history=signoff.position_history(version),
        may_sign=perms.may_sign(version) and state == versions.VersionState.FROZEN,
        texts=texts,
        active_tab="web.paper_versions",
        positions=list(i18n.POSITIONS),
        exports=list(reversed(exports.list_exports(version))),
        export_formats=exports.DOCUMENT_FORMATS,
        earlier=[v for v in versions.list_versions(paper.id) if v.id < version.id],
        form=form or {},
        error=error,
    ), status


@bp.post("/versions/<int:version_id>/positions")
def record_position(version_id: int):
    user = me()
    version = versions.get_version(version_id, user)
    form = {"position": forms.text("position"), "reason": forms.text("reason")}
    try:
        recorded = signoff.record_position(
            version,
            user,
            form["position"],
            reason=form["reason"] or None,
            version_sha256=forms.text("version_sha256") or None,
        )
    except DomainError as refused:
        session.rollback()
        return _version_page(
            version_id, form=form, error=message(refused), status=status_of(refused)
        )
    flash(
        _(
            "Your position on %(label)s is recorded: %(position)s.",
            label=version.label,
            position=i18n.label(recorded.position, "position"),
        ),
        "success",
    )
    if version.signed_off_at is not None:
        flash(_("Every signatory has now signed: %(label)s is signed off.", label=version.label))
    return redirect(url_for("web.version", version_id=version.id))


def _exports_dir() -> Path:
    return Path(current_app.config["EXPORTS_DIR"])


@bp.post("/versions/<int:version_id>/exports")
def create_export(version_id: int):
    user = me()
    version = versions.get_version(version_id, user)
    job = exports.request_export(
        version,
        user,
        forms.text("format"),
        toc=forms.checked("toc"),
        comments=forms.checked("comments"),
        redline_against=forms.optional_int("redline_against"),
    )
    return redirect(url_for("web.export_job", job_id=job.id))


@bp.get("/export-jobs/<int:job_id>")
def export_job(job_id: int):
    """The export's progress: the page reloads itself until the file is ready or failed."""
    job = exports.get_export_job(job_id, me())
    version = versions.get_version(job.version_id, me())
    made = exports.get_export(job.export_id, me()) if job.export_id else None
    return render_template("version/export_job.html", job=job, version=version, made=made)


@bp.get("/exports/<int:export_id>/download")
def download_export(export_id: int):
    made = exports.get_export(export_id, me())
    download = exports.open_download(made, _exports_dir())
    return send_file(
        download.file,
        mimetype=download.media_type,
        as_attachment=True,
        download_name=download.name,
        etag=download.sha256,
        max_age=0,
    )
