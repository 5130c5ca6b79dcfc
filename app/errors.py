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
    "allowed_states": "section_state",
    "states": "section_state",
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
    "alignment_rationale_required": _l(
        "A decision needs a rationale: say why the text stands where it does."
    ),
    "apply_needs_accepted": _l("Only an accepted suggestion can be applied."),
    "apply_no_proposal": _l("This comment proposes no text to apply."),
    "apply_no_quote": _l("This comment quotes no passage: there is nothing to replace."),
    "apply_passage_gone": _l(
        "The passage this comment is about is no longer in the section's text: edit the text "
        "instead."
    ),
    "assign_sections": _l(
        "Only the coordinator assigns sections, due dates and contributing sectors."
    ),
    "backup_database_not_empty": _l(
        "The database is not empty (%(table)s has rows): a restore needs an empty, migrated "
        "database."
    ),
    "backup_format": _l("This is not a Plume backup (expected format %(format)s)."),
    "backup_not_json": _l("This is not a Plume backup: %(detail)s"),
    "bad_cursor": _l(
        "This page cursor was not given by this list: start again from the first page."
    ),
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
    "comment_already_resolved": _l(
        "This comment is already resolved; the coordinator may reopen it."
    ),
    "comment_answered_edit": _l(
        "This comment has been answered or resolved: it can no longer be edited."
    ),
    "comment_answered_withdraw": _l(
        "This comment has been answered or resolved: it can no longer be withdrawn."
    ),
    "comment_edit_own": _l("Only the comment's author may edit it."),
    "comment_no_text": _l("This section has no text yet: there is nothing to comment on."),
    "comment_numbers": _l("Comment numbers must be numbers, separated by commas: 12, 15."),
    "comment_withdraw_own": _l("Only the comment's author may withdraw it."),
    "comment_withdrawn": _l("This comment was withdrawn by its author."),
    "comments_not_on_paper": _l("These are not comments on this paper: %(comments)s."),
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
    "decide_alignment": _l(
        "Only the coordinator or the section's lead author records alignment decisions; a "
        "reviewer points at an item with a comment of type alignment."
    ),
    "disable_own_account": _l("You cannot disable your own account."),
    "due_date_format": _l("A due date is a date (YYYY-MM-DD)."),
    "document_symbol_invalid": _l(
        "A document symbol has at most %(limit)s characters: letters, digits, single spaces "
        "and / . - ( ), starting with a letter or a digit, such as CLT/2027/PP/1."
    ),
    "error": _l("This cannot be done."),
    "export_failed": _l("Version %(label)s could not be exported as %(format)s: %(detail)s."),
    "export_file_changed": _l(
        "The file of export %(export)s no longer matches the sha256 recorded when it was made: "
        "it was changed on disk after export, so it is not served. Make the export again."
    ),
    "export_file_missing": _l(
        "The file of export %(export)s is missing from the exports folder: make the export again."
    ),
    "export_format": _l("There is no export format “%(format)s”: use one of %(formats)s."),
    "export_no_toc": _l("A table of contents is for %(formats)s; the %(format)s export has none."),
    "export_word_only": _l(
        "Comments and a redline (redline_against) are native Word features: use them with the "
        "format %(formats)s."
    ),
    "field_choice": _l("“%(field)s” must be one of %(allowed)s, not “%(value)s”."),
    "field_date": _l("“%(field)s” must be a date (YYYY-MM-DD)."),
    "field_empty": _l("“%(field)s” must not be empty."),
    "field_not_text": _l("“%(field)s” must be text."),
    "field_number": _l("“%(field)s” must be a whole number."),
    "field_time": _l("“%(field)s” must be a time (HH:MM)."),
    "field_too_long": _l("“%(field)s” is limited to %(limit)s characters."),
    "forbidden": _l("You may not do this."),
    "framework_code": _l(
        "%(file)s:%(line)s: code '%(code)s' may hold only letters, digits, '.', '-', '_'."
    ),
    "framework_duplicate_code": _l(
        "%(file)s:%(line)s: duplicate code %(code)s (first on line %(first)s)."
    ),
    "framework_duplicate_key": _l(
        "%(file)s:%(line)s: duplicate key %(key)s (first on line %(first)s)."
    ),
    "framework_item_code": _l(
        "%(file)s:%(line)s: item code '%(item_code)s' must be %(code)s. and a plain suffix, "
        "e.g. %(code)s.1."
    ),
    "framework_item_not_mapping": _l(
        "%(file)s:%(line)s: each item is a mapping with code, kind, title_en and title_fr."
    ),
    "framework_kind": _l("%(file)s:%(line)s: unknown kind '%(kind)s'; use one of %(kinds)s."),
    "framework_missing": _l("%(file)s:%(line)s: missing %(key)s."),
    "framework_no_items": _l("%(file)s:%(line)s: a framework needs a non-empty list of items."),
    "framework_none_chosen": _l(
        "This paper is not checked against “%(name)s”; it is not checked against any framework yet."
    ),
    "framework_not_chosen": _l(
        "This paper is not checked against “%(name)s”; it is checked against %(frameworks)s."
    ),
    "framework_not_mapping": _l(
        "%(file)s:%(line)s: a framework file is a mapping with code, version, titles and items."
    ),
    "framework_not_text": _l("%(file)s:%(line)s: %(key)s must be text, not a list or a mapping."),
    "framework_too_long": _l("%(file)s:%(line)s: %(key)s is longer than %(limit)s characters."),
    "framework_twice": _l(
        "A paper is checked against one version of each framework: %(frameworks)s."
    ),
    "framework_unknown_key": _l("%(file)s:%(line)s: unknown key '%(key)s'; use %(allowed)s."),
    "framework_unreadable": _l("Cannot read %(path)s: %(detail)s"),
    "framework_yaml": _l("%(file)s:%(line)s: not valid YAML."),
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
    "item_needs_alignment_type": _l("Only a comment of type alignment names a framework item."),
    "item_no_frameworks": _l(
        "“%(item_code)s” is not an item of this paper's frameworks: the paper is not checked "
        "against any framework yet."
    ),
    "item_not_in_frameworks": _l(
        "“%(item_code)s” is not an item of the frameworks this paper is checked against "
        "(%(frameworks)s)."
    ),
    "job_title_invalid": _l("A job title is one line of at most %(limit)s characters."),
    "json_too_deep": _l("The JSON is nested more than %(limit)s levels deep."),
    "last_coordinator": _l(
        "%(name)s is the paper's only coordinator: make someone else coordinator first."
    ),
    "lead_not_author": _l(
        "User %(user_id)s is not an author of this paper: a section is led by an author or the "
        "coordinator."
    ),
    "matrix_format": _l("A comment matrix file is csv or docx, not “%(format)s”."),
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
    "position_decision_missing": _l(
        "Fill in every field of a position decision; missing: %(missing)s."
    ),
    "position_options_required": _l("Name the options that were considered."),
    "position_sectors_required": _l("Name the sectors that were consulted."),
    "position_text_changed": _l(
        "The text you read is not version %(label)s (its fingerprint differs): reload the "
        "version and read it again before recording a position."
    ),
    "positions_need_signature_version": _l(
        "Version %(label)s was frozen for review: positions are recorded only on a version "
        "frozen for signature."
    ),
    "quote_exact_required": _l("A quote needs the exact passage it is about."),
    "quote_no_text": _l("This section has no text yet: there is nothing to quote."),
    "quote_not_found": _l(
        "The quoted passage is not in the text of revision %(revision)s of this section: "
        "select it again in the current text."
    ),
    "quote_not_in_current_text": _l("The quoted passage is not in the section's current text."),
    "quote_start": _l("A quote's start is a character offset (a whole number)."),
    "quote_too_long": _l("A quoted passage is limited to %(limit)s characters."),
    "rationale_required": _l("A “%(decision)s” decision needs a rationale: say why."),
    "redline_not_earlier": _l(
        "A redline is made against an earlier version of the same paper; version %(version)s "
        "is not one."
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
    "reopen_not_resolved": _l("Only a resolved comment can be reopened."),
    "reply_not_in_thread": _l("Reply %(reply)s is not in this comment's thread."),
    "resolve_comments": _l(
        "Only the section's lead author or the coordinator may resolve its comments."
    ),
    "role_required": _l("This needs one of these roles on the paper: %(roles)s."),
    "round_closed": _l(
        "Round %(round)s closed on %(closed)s UTC; ask the coordinator to extend it."
    ),
    "round_not_of_paper": _l("Round %(round)s is not a review round of this paper."),
    "round_reviewers_only": _l("Only reviewers comment in a review round."),
    "round_section_missing": _l(
        "This section is not part of the version under review in this round."
    ),
    "round_sectors": _l("A round invites at least one sector."),
    "round_version": _l("Version %(version)s is not a version of this paper."),
    "round_version_required": _l("Choose the version to review."),
    "search_kind": _l("A search looks for sections, comments or decisions, not “%(kind)s”."),
    "section_approved": _l("This section is approved: move it back to drafting before editing it."),
    "section_move": _l(
        "A section cannot go from “%(from_state)s” to “%(to_state)s”; it can go to: "
        "%(allowed_states)s."
    ),
    "section_move_forbidden": _l(
        "You may not move this section from “%(from_state)s” to “%(to_state)s”: the "
        "coordinator makes every move, the section's lead author hands the work on."
    ),
    "section_not_of_paper": _l("Section %(section)s is not a section of this paper."),
    "section_text_too_long": _l("A section's text is limited to %(limit)s characters."),
    "sector_not_invited": _l("%(sector)s is not invited to this round; invited: %(invited)s."),
    "self_registration_domain": _l(
        "“%(domain)s” is not an e-mail domain (write it as unesco.org, without a name or @)."
    ),
    "self_registration_domain_taken": _l("The domain %(domain)s is already open."),
    "signature_blocked": _l(
        "This version cannot be frozen for signature: %(count)s points are still open (listed "
        "below). Settle them, or give a reason to freeze it anyway."
    ),
    "stale_base": _l(
        "This section was saved by someone else since you started: merge with the current "
        "revision and save again."
    ),
    "template_front_matter_mapping": _l("%(path)s: the front matter must be a mapping."),
    "template_front_matter_yaml": _l("%(path)s: the front matter is not valid YAML: %(detail)s"),
    "template_no_front_matter": _l(
        "%(path)s: a section file starts with YAML front matter between --- lines."
    ),
    "template_no_paper_yaml": _l("%(folder)s is not a template: it has no paper.yaml."),
    "template_no_parent": _l("%(folder)s: section %(number)s has no parent section."),
    "template_no_sections": _l("%(folder)s: the template has no sections."),
    "template_number_twice": _l("%(folder)s: section number %(number)s appears twice."),
    "template_section_missing": _l("%(path)s: missing %(missing)s."),
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
    "unknown_alignment_status": _l("“%(status)s” is an unknown status: use one of %(statuses)s."),
    "unknown_framework": _l(
        "There is no framework “%(name)s”: load it first (plume load-framework)."
    ),
    "unknown_language": _l("Plume speaks English and French, not “%(language)s”."),
    "unknown_position": _l(
        "A position is approve, no objection, block or abstain, not “%(position)s”."
    ),
    "unknown_role": _l(
        "A role is coordinator, author, reviewer, signatory or observer, not “%(role)s”."
    ),
    "unknown_sector": _l("There is no sector “%(sector)s”."),
    "unknown_sectors": _l("There is no sector %(sectors)s."),
    "unknown_state": _l("A section's state is one of %(states)s, not “%(state)s”."),
    "unknown_template": _l("There is no template “%(template)s”."),
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
    "write_section": _l(
        "Only the coordinator, the section's lead author or an author from a contributing "
        "sector may edit this section."
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
    if isinstance(error, domain.NotFound):
        if reveal and error.reason != "not_found":
            # Logs and the command line say what was looked for: "version 12 does not exist."
            what = " ".join(str(part) for part in (error.reason, error.params.get("id")) if part)
            return f"{what} does not exist."
        reason = "not_found"
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
