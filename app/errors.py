"""Where a domain error becomes a status and a sentence, for the API and the web alike.

Services raise `DomainError`s naming a reason (app/services/errors.py). This module holds the
one table from error class to HTTP status, and the one catalogue from reason to sentence; the
sentences are msgids, translated through the .po files like every other word of the UI. The
API answers in English; a page answers in its reader's language.
"""

from __future__ import annotations

from typing import Any

from flask import has_app_context
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from app.services import errors as domain

STATUS: dict[type[domain.DomainError], int] = {
    domain.BadInput: 400,
    domain.Forbidden: 403,
    domain.NotFound: 404,
    domain.Conflict: 409,
    domain.Invalid: 422,
    domain.TooLarge: 413,
}

# Parameters whose value is a stored code: shown by its label in the reader's language
# (app/web/i18n.py LABELS kind).
LABELLED_PARAMS = {
    "decision": "decision",
    "position": "position",
    "state": "section_state",
    "from_state": "section_state",
    "to_state": "section_state",
    "role": "role",
    "roles": "role",
    "status": "alignment",
    "type": "comment_type",
}

# Every reason a service raises, as a whole sentence. Keep them sorted by reason.
MESSAGES: dict[str, Any] = {
    "account_link_invalid": _l("This link has expired or was already used. Ask for a new one."),
    "admin_only": _l("Only an administrator may do this."),
    "block_needs_reason": _l(
        "A block needs a reason: say what must change before you can approve."
    ),
    "blocker_expected_alignment": _l(
        "Section %(number)s “%(title)s” has no alignment decision on %(items)s, which its "
        "template expects."
    ),
    "blocker_open_comments": _l("Section %(number)s “%(title)s” has open comments: %(count)s."),
    "blocker_open_round": _l(
        "Review round %(round)s on %(version)s is still open, until %(deadline)s."
    ),
    "blocker_section_not_approved": _l(
        "Section %(number)s “%(title)s” is not approved: it is at “%(state)s”."
    ),
    "completion_note_too_long": _l("A note is at most 4,000 characters long."),
    "completion_nothing_to_withdraw": _l(
        "%(sector)s has not marked its review complete: there is nothing to withdraw."
    ),
    "completion_own_sector": _l("You review for %(own)s: you cannot speak for %(sector)s."),
    "completion_reviewers_only": _l(
        "Only a reviewer of this paper marks a sector's review complete."
    ),
    "conflict": _l("This has changed in the meantime; reload the page and try again."),
    "deadline_earlier": _l("A round's deadline can only move later."),
    "deadline_past": _l("The deadline must be in the future."),
    "deadline_required": _l("A deadline needs a date and a time."),
    "disable_own_account": _l("You cannot disable your own account."),
    "document_symbol_invalid": _l(
        "A document symbol has at most %(limit)s characters: letters, digits, single spaces "
        "and / . - ( ), starting with a letter or a digit, such as CLT/2027/PP/1."
    ),
    "error": _l("This cannot be done."),
    "forbidden": _l("You may not do this."),
    "invalid": _l("Please check what you entered."),
    "import_encrypted": _l(
        "The file is encrypted or protected by a password: save it without protection and "
        "upload it again."
    ),
    "import_macros": _l(
        "The file holds macros (%(name)s): save it as a Word document without macros (.docx) "
        "and upload it again."
    ),
    "import_malformed": _l("The file is damaged: its part %(part)s cannot be read."),
    "import_match": _l("Sections are matched by %(choices)s, not by “%(match)s”."),
    "import_no_file": _l("Choose the returned Word file (.docx) to upload."),
    "import_no_sections": _l(
        "No heading of the file matches a section of this paper: it cannot be matched by headings."
    ),
    "import_no_version": _l(
        "This paper has no frozen version yet: there is no text to place the file's remarks on."
    ),
    "import_not_docx": _l("This file is not a Word document (.docx)."),
    "import_not_plume": _l(
        "This file is not a Plume export: it does not say which paper and version it comes "
        "from. Ask to match its sections by their headings instead."
    ),
    "import_other_paper": _l(
        "This file was exported from paper %(found)s, not from this paper (%(paper)s)."
    ),
    "import_round_paper": _l("Round %(round)s is not a review round of this paper."),
    "import_too_large": _l("The file is larger than the %(limit)s bytes an upload may be."),
    "import_unknown_version": _l(
        "This file names version %(version)s, which is not a version of this paper."
    ),
    "import_unsafe_name": _l(
        "The file holds a part named “%(name)s”, which points outside the document: it is refused."
    ),
    "import_version_mismatch": _l(
        "The file names version %(label)s but its text is not that version's (the hash "
        "differs): it is refused."
    ),
    "import_xml_unsafe": _l(
        "The part %(part)s declares a DTD or entities, which a Word document never needs: "
        "the file is refused."
    ),
    "import_zip_bomb": _l(
        "The file would unpack to more than %(limit)s bytes, or is compressed beyond what a "
        "document can be: it is refused."
    ),
    "invalid_transition": _l("This move is not allowed from the current state."),
    "job_title_invalid": _l("A job title is one line of at most %(limit)s characters."),
    "json_too_deep": _l("The JSON is nested more than %(limit)s levels deep."),
    "last_coordinator": _l(
        "%(name)s is the paper's only coordinator: make someone else coordinator first."
    ),
    "member_role_taken": _l("%(name)s already holds the role %(role)s on this paper."),
    "member_unknown_email": _l(
        "No account has the e-mail %(email)s: an administrator creates the account first."
    ),
    "no_comments_but_commented": _l(
        "%(sector)s has comments in this round: mark its review complete rather than “no comments”."
    ),
    "not_found": _l("Not found."),
    "notification_categories": _l("There is no such kind of notification: %(categories)s."),
    "notification_delivery": _l(
        "Each kind of notification is sent immediately, in the daily digest, or not at all "
        "(%(categories)s)."
    ),
    "paper_language": _l("A paper is written in English or French, not “%(language)s”."),
    "paper_setting_invalid": _l("The setting “%(field)s” is on or off: send true or false."),
    "paper_title": _l("A paper needs a title or a template."),
    "password_mismatch": _l("The two new passwords differ: type the same one twice."),
    "password_too_short": _l("A password needs at least 8 characters."),
    "password_wrong": _l("Your current password is not the one you typed: nothing was changed."),
    "position_text_changed": _l(
        "The text you read is not version %(label)s (its fingerprint differs): reload the "
        "version and read it again before recording a position."
    ),
    "positions_need_signature_version": _l(
        "Version %(label)s was frozen for review: positions are recorded only on a version "
        "frozen for signature."
    ),
    "render_too_large": _l(
        "This text could not be converted within %(limit)s MB of memory: simplify its "
        "structure (deeply nested quotes or lists, very large tables) and export again."
    ),
    "render_too_slow": _l(
        "This text could not be converted within %(limit)s s: simplify its structure "
        "(deeply nested quotes or lists, long runs of brackets or headings) and export again."
    ),
    "reference_not_loaded": _l("Load the reference data first (plume load-reference)."),
    "role_required": _l("This needs one of these roles on the paper: %(roles)s."),
    "round_closed": _l(
        "Round %(round)s closed on %(closed)s UTC; ask the coordinator to extend it."
    ),
    "round_reviewers_only": _l("Only reviewers comment in a review round."),
    "round_sectors": _l("A round invites at least one sector."),
    "round_version": _l("Version %(version)s is not a version of this paper."),
    "search_kind": _l("A search looks for sections, comments or decisions, not “%(kind)s”."),
    "sector_not_invited": _l("%(sector)s is not invited to this round; invited: %(invited)s."),
    "signature_blocked": _l(
        "This version cannot be frozen for signature: %(count)s points are still open (listed "
        "below). Settle them, or give a reason to freeze it anyway."
    ),
    "text_forbidden_character": _l(
        "The field “%(field)s” holds a character that no document can hold (a NUL byte, "
        "a control character or a lone surrogate): remove it and send again."
    ),
    "template_language": _l(
        "A template's language is one of %(languages)s, not %(language)s (paper.yaml)."
    ),
    "template_translation_front_matter": _l(
        "%(path)s starts with front matter: a translated text holds only the section's "
        "Markdown, its titles and briefs stay in the section file."
    ),
    "template_translation_unmatched": _l(
        "%(path)s has no section file of the same name: a translated text is named after "
        "its section's file."
    ),
    "too_large": _l("This is larger than allowed."),
    "unknown_actions": _l("The activity log names no such kind of change: %(actions)s."),
    "unknown_language": _l("Plume speaks English and French, not “%(language)s”."),
    "unknown_position": _l(
        "A position is approve, no objection, block or abstain, not “%(position)s”."
    ),
    "unknown_role": _l(
        "A role is coordinator, author, reviewer, signatory or observer, not “%(role)s”."
    ),
    "unknown_sector": _l("There is no sector “%(sector)s”."),
    "unknown_sectors": _l("There is no sector %(sectors)s."),
    "unprocessable": _l("This cannot be accepted."),
    "user_email": _l("“%(email)s” is not an e-mail address."),
    "user_email_taken": _l("An account with the e-mail %(email)s already exists."),
    "user_name": _l("An account needs a name."),
    "version_label": _l("A version needs a label of 1 to 40 characters, such as v0.3."),
    "version_label_taken": _l("This paper already has a version labelled %(label)s."),
    "version_purpose": _l("A version is frozen for review or for signature, not “%(purpose)s”."),
    "version_signed_off": _l(
        "Version %(label)s was signed off on %(day)s: its positions are final."
    ),
    "version_superseded": _l(
        "Version %(label)s is superseded by a later version: record your position on the "
        "latest one."
    ),
}


def status_of(error: domain.DomainError) -> int:
    """The HTTP status of a domain error: the API's and the web page's."""
    return next(code for cls, code in STATUS.items() if isinstance(error, cls))


def message(error: domain.DomainError, language: str | None = None, *, reveal=False) -> str:
    """The error as a sentence in `language` (None: the current request's).

    A NotFound reads "Not found." whatever the raise said, so that no one learns which
    objects exist; `reveal` (logs, the command line) keeps what it said.
    """
    if isinstance(error, domain.NotFound) and not (reveal and error.legacy_message):
        reason = "not_found"
    elif error.legacy_message is not None:
        return error.legacy_message
    else:
        reason = error.reason if error.reason in MESSAGES else type(error).code
    template = MESSAGES.get(reason, MESSAGES["error"])
    if language is None or not has_app_context():
        return _fill(str(template), error.params)
    with force_locale(language):
        return _fill(str(template), error.params)


def _fill(template: str, params: dict[str, Any]) -> str:
    values = {}
    for name, value in params.items():
        if name in LABELLED_PARAMS and isinstance(value, str) and has_app_context():
            from app.web.i18n import label

            value = label(value, LABELLED_PARAMS[name])
        elif name in LABELLED_PARAMS and isinstance(value, list) and has_app_context():
            from app.web.i18n import label

            value = " / ".join(label(item, LABELLED_PARAMS[name]) for item in value)
        elif isinstance(value, list | tuple | set):
            value = ", ".join(map(str, value))
        values[name] = value
    try:
        return template % values
    except (KeyError, TypeError, ValueError):
        return template
