"""The page language: `?lang=`, remembered in the session and on the user's account.

Labels for the domain's states live here too, so that every template says "In review" /
"En relecture" for the same stored value.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import g, has_request_context, request, session
from flask_babel import get_locale, get_translations
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.db import will_write
from app.export.formats import FORMATS
from app.models import ActivityAction
from app.services import users

LANGUAGES = ("en", "fr")
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}


def _user_locale() -> str | None:
    if current_user and current_user.is_authenticated:
        return current_user.user.locale
    return None


def select_locale() -> str:
    """?lang= first, then the signed-in user's choice, the session's, the browser's."""
    if not has_request_context():
        return "en"
    for choice in (request.args.get("lang"), _user_locale(), session.get("lang")):
        if choice in LANGUAGES:
            return choice
    return request.accept_languages.best_match(LANGUAGES) or "en"


def current_language() -> str:
    return str(get_locale() or "en")


def translations():
    """flask_babel.get_translations(), remembered for the request's locale: flask_babel finds
    them through nine reads of the request's context on every call, and a page asks for a
    hundred strings. A forced locale (a mail in its reader's language) is another Locale,
    so its translations are found again."""
    context = getattr(g, "_flask_babel", None)  # flask_babel's own, per request
    if context is not None:
        remembered = getattr(context, "plume_translations", None)
        if remembered is not None and remembered[0] is getattr(context, "babel_locale", None):
            return remembered[1]
    found = get_translations()
    context = getattr(g, "_flask_babel", None)
    if context is not None and getattr(context, "babel_locale", None) is not None:
        context.plume_translations = (context.babel_locale, found)
    return found


def install_template_gettext(app) -> None:
    """The templates' `_`, `ngettext`, `pgettext` through `translations` (flask_babel
    installs the same callables through its slower lookup)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )


def remember_choice() -> None:
    """Keep a `?lang=` choice for the next pages, and on the account of a signed-in user."""
    choice = request.args.get("lang")
    if choice not in LANGUAGES:
        return
    session["lang"] = choice
    will_write()  # before the account is read: it may be saved
    if current_user.is_authenticated and current_user.user.locale != choice:
        users.set_locale(current_user.user, choice)


SECTION_STATES = {
    "not_started": _l("Not started"),
    "drafting": _l("Drafting"),
    "in_review": _l("In review"),
    "changes_requested": _l("Changes requested"),
    "approved": _l("Approved"),
}
PAPER_STATUSES = {
    "drafting": _l("Drafting"),
    "in_review": _l("In review"),
    "consolidating": _l("Consolidating"),
    "in_signature": _l("In signature"),
    "signed_off": _l("Signed off"),
}
SECTOR_REVIEW_STATES = {
    "complete": _l("Complete"),
    "no_comments": _l("No comments"),
    "no_record": _l("No record"),
}
VERSION_PURPOSES = {
    "review": _l("For review"),
    "signature": _l("For signature"),
}
ROLES = {
    "coordinator": _l("Coordinator"),
    "author": _l("Author"),
    "reviewer": _l("Reviewer"),
    "signatory": _l("Signatory"),
    "observer": _l("Observer"),
}
VERSION_STATES = {
    "frozen": _l("Frozen"),
    "signed_off": _l("Signed off"),
    "superseded": _l("Superseded"),
}
POSITIONS = {
    "approve": _l("Approve"),
    "no_objection": _l("No objection"),
    "block": _l("Block"),
    "abstain": _l("Abstain"),
}
COMMENT_TYPES = {
    "editorial": _l("Editorial"),
    "substantive": _l("Substantive"),
    "legal": _l("Legal"),
    "alignment": _l("Alignment"),
}
COMMENT_STATUSES = {
    "open": _l("Open"),
    "resolved": _l("Resolved"),
    "withdrawn": _l("Withdrawn"),
}
DECISIONS = {
    "accepted": _l("Accepted"),
    "accepted_modified": _l("Accepted with changes"),
    "rejected": _l("Rejected"),
    "noted": _l("Noted"),
}
ALIGNMENT_STATUSES = {
    "aligned": _l("Aligned"),
    "partial": _l("Partly aligned"),
    "gap": _l("Gap"),
    "conflict": _l("Conflict"),
    "not_applicable": _l("Not applicable"),
}
ITEM_KINDS = {
    "value": _l("Value"),
    "principle": _l("Principle"),
    "policy_area": _l("Policy area"),
}
# The registry's names, marked for translation there (formats.N_).
EXPORT_FORMATS = {name: _l(fmt.label) for name, fmt in FORMATS.items()}
A = ActivityAction
ACTIONS = {
    A.ALIGNMENT_DECIDED: _l("recorded an alignment decision"),
    A.COMMENT_CREATED: _l("commented"),
    A.COMMENT_EDITED: _l("edited a comment"),
    A.COMMENT_ORPHANED: _l("lost a comment's passage"),
    A.COMMENT_REANCHORED: _l("found a comment's passage again"),
    A.COMMENT_REOPENED: _l("reopened a comment"),
    A.COMMENT_REPLIED: _l("replied to a comment"),
    A.COMMENT_RESOLVED: _l("resolved a comment"),
    A.COMMENT_WITHDRAWN: _l("withdrew a comment"),
    A.EXPORT_CREATED: _l("exported a version"),
    A.FRAMEWORK_LOADED: _l("loaded a framework"),
    A.IMPORT_MADE: _l("imported remarks from a Word file"),
    A.MEMBER_ADDED: _l("added a member"),
    A.MEMBER_REMOVED: _l("removed a member"),
    A.MEMBER_ROLE_CHANGED: _l("changed a member's role"),
    A.PAPER_CREATED: _l("created the paper"),
    A.PAPER_FRAMEWORKS_CHANGED: _l("changed the frameworks the paper is checked against"),
    A.PAPER_SETTINGS_CHANGED: _l("changed the document settings"),
    A.PAPER_STATUS_CHANGED: _l("changed the paper's status"),
    A.POSITION_RECORDED: _l("recorded a position"),
    A.POSITION_DECISION_RECORDED: _l("recorded a position decision"),
    A.REVISION_SAVED: _l("saved a revision"),
    A.ROUND_CLOSED: _l("closed a review round"),
    A.ROUND_COMPLETION_RECORDED: _l("marked a sector's review complete"),
    A.ROUND_COMPLETION_WITHDRAWN: _l("withdrew a sector's review completion"),
    A.ROUND_EXTENDED: _l("extended a review round"),
    A.ROUND_OPENED: _l("opened a review round"),
    A.SECTION_UPDATED: _l("updated a section"),
    A.SELF_REGISTRATION_DOMAIN_ADDED: _l("opened an e-mail domain to self-registration"),
    A.SELF_REGISTRATION_DOMAIN_REMOVED: _l("closed an e-mail domain to self-registration"),
    A.TOKEN_CREATED: _l("created an API token"),
    A.TOKEN_REVOKED: _l("revoked an API token"),
    A.USER_CREATED: _l("created an account"),
    A.USER_DISABLED: _l("disabled an account"),
    A.USER_ENABLED: _l("enabled an account"),
    A.USER_JOB_TITLE_CHANGED: _l("changed their job title"),
    A.USER_LOCALE_CHANGED: _l("changed their language"),
    A.USER_PASSWORD_CHANGED: _l("changed their password"),
    A.VERSION_FROZEN: _l("froze a version"),
    A.VERSION_SIGNED_OFF: _l("signed off a version"),
    A.VERSION_SUPERSEDED: _l("closed a superseded ballot"),
}

# Why an imported remark landed where it did, or did not (app/services/imports.py).
IMPORT_REASONS = {
    "on_heading": _l("made on a heading: a section comment, its quote kept"),
    "on_across": _l("spans several sections: a comment on the first, its quote kept"),
    "no_passage": _l("no passage selected: a section comment"),
    "insertion_alone": _l("an insertion with no word beside it"),
    "passage_not_found": _l("its passage is no longer in the text"),
    "outside_sections": _l("outside every section (title page, annexes)"),
    "unknown_section": _l("a section that is not in this version"),
    "section_empty": _l("the section had no text in this version"),
    "no_parent": _l("a reply whose comment is not in the file"),
    "parent_unplaced": _l("a reply to a comment that was not placed"),
    "round_closed": _l("the round is closed"),
    "round_sector": _l("its author's sector is not invited to the round"),
    "from_plume": _l("a comment Plume wrote into the export: already here"),
    "resolved_in_word": _l("resolved in Word: recorded as noted"),
    "resolved_in_word_left_open": _l("resolved in Word: left open for the lead author to decide"),
}

# Notifications: the categories a person sets, the choices, and one sentence per event. A
# sentence's parameters are the notification's params (app/services/notifications.py).
NOTIFICATION_CATEGORIES = {
    "assignments": _l("Sections assigned to me, due soon or overdue"),
    "section_comments": _l("Comments on sections I lead"),
    "my_comments": _l("Replies in my threads, decisions on my comments, lost passages"),
    "mentions": _l("Mentions of me"),
    "rounds": _l("Review rounds for my sector"),
    "signoff": _l("Versions for signature, signed off or blocked"),
}
DELIVERIES = {
    "immediately": _l("Immediately"),
    "digest": _l("Daily digest"),
    "off": _l("Off"),
}
NOTIFICATION_EVENTS = {
    "section.assigned": _l("%(actor)s assigned you section %(section)s."),
    "section.due_soon": _l("Section %(section)s is due on %(due)s."),
    "section.overdue": _l("Section %(section)s was due on %(due)s and is not approved yet."),
    "comment.on_my_section": _l("%(actor)s commented on section %(section)s."),
    "comment.reply": _l("%(actor)s replied in your thread on section %(section)s."),
    "comment.decision": _l(
        "%(actor)s decided on your comment on section %(section)s: %(decision)s."
    ),
    "comment.orphaned": _l(
        "Your comment on section %(section)s lost its passage when the text was revised."
    ),
    "comment.mention": _l("%(actor)s mentioned you on section %(section)s."),
    "round.opened": _l(
        "%(actor)s opened a review round for your sector on version %(label)s, until %(deadline)s."
    ),
    "round.closing": _l("The review round on version %(label)s closes on %(deadline)s."),
    "round.extended": _l("The review round on version %(label)s now closes on %(deadline)s."),
    "round.closed": _l("The review round on version %(label)s has closed."),
    "version.for_signature": _l("Version %(label)s awaits your position."),
    "version.signed_off": _l("Version %(label)s is signed off."),
    "version.blocked": _l("%(actor)s blocked version %(label)s: %(reason)s"),
}

LABELS = {
    "import_reason": IMPORT_REASONS,
    "section_state": SECTION_STATES,
    "paper_status": PAPER_STATUSES,
    "role": ROLES,
    "version_state": VERSION_STATES,
    "version_purpose": VERSION_PURPOSES,
    "sector_review": SECTOR_REVIEW_STATES,
    "position": POSITIONS,
    "comment_type": COMMENT_TYPES,
    "comment_status": COMMENT_STATUSES,
    "decision": DECISIONS,
    "alignment": ALIGNMENT_STATUSES,
    "item_kind": ITEM_KINDS,
    "export_format": EXPORT_FORMATS,
    "action": ACTIONS,
    "notification_category": NOTIFICATION_CATEGORIES,
    "delivery": DELIVERIES,
}


def label(value, kind: str) -> str:
    """The translated label of a stored value; the value itself when it has none."""
    if value is None:
        return ""
    return str(LABELS[kind].get(str(value), value))


def notification_text(event: str, params: dict) -> str:
    """A notification's sentence in the current language, its dates in the reader's form."""
    from flask_babel import format_date, format_datetime

    values = {}
    params = dict(params or {})
    if current_language() == "fr" and params.get("section_fr"):
        params["section"] = params["section_fr"]
    for name, value in params.items():
        if name == "deadline" and value:
            value = format_datetime(datetime.fromisoformat(value), "medium") + " UTC"
        elif name == "due" and value:
            value = format_date(date.fromisoformat(value), "long")
        elif name == "decision":
            value = label(value, "decision")
        values[name] = value
    template = str(NOTIFICATION_EVENTS.get(event, event))
    try:
        return template % values
    except (KeyError, TypeError, ValueError):
        return template
