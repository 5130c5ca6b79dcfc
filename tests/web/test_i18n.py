"""English and French: the choice is remembered, every string is translated, dates follow
the reader's locale, and section titles follow the paper's language."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from app.models import Role
from app.services import sections as section_service
from app.services import users
from app.web import TRANSLATIONS
from tests.web.helpers import PASSWORD, csrf_token, page

APP = Path(TRANSLATIONS).parent.parent  # every string people read: pages, mails, errors
FRENCH_PO = TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.po"
FRENCH_MO = TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.mo"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "_l": None,
    "lazy_gettext": None,
    "pgettext": ((1, "c"), 2),
}


def _read_po():
    with FRENCH_PO.open("rb") as file:
        return read_po(file)


def _extracted() -> set:
    """(context, message) of every string the UI translates."""
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        str(APP), method_map, keywords=KEYWORDS
    ):
        found.add((context, message if isinstance(message, str) else message[0]))
    return found


def test_every_string_of_the_ui_has_a_french_translation():
    catalog = _read_po()
    translated = {
        (m.context, m.id if isinstance(m.id, str) else m.id[0]): m
        for m in catalog
        if m.id and not m.fuzzy and all(m.string if isinstance(m.string, tuple) else [m.string])
    }
    missing = sorted(_extracted() - set(translated))
    assert missing == [], f"untranslated: {missing}"


def test_the_compiled_catalogue_matches_the_po_file():
    compiled = BytesIO()
    write_mo(compiled, _read_po())
    assert FRENCH_MO.read_bytes() == compiled.getvalue(), (
        "the .mo is stale: run pybabel compile -d app/web/translations"
    )


def test_the_sign_in_page_follows_the_browser_language(client):
    french = client.get("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert "Connexion à Plume" in page(french).text
    assert 'lang="fr"' in french.get_data(as_text=True)
    english = client.get("/login", headers={"Accept-Language": "en-GB"})
    assert "Sign in to Plume" in page(english).text


def test_the_language_choice_is_remembered_in_the_session_and_the_account(
    client, sign_in, paper, db
):
    observer = paper.people[Role.OBSERVER]
    sign_in(observer)
    french = client.get(f"/papers/{paper.id}?lang=fr")
    assert "Vue d’ensemble" in page(french).text
    # The next page, without ?lang=, stays in French...
    assert "Mon travail" in page(client.get("/")).text
    db.expire_all()
    assert observer.locale == "fr"
    # ...and so does the next sign-in, from a browser that asks for English.
    sign_in(observer)
    assert "Mon travail" in page(client.get("/", headers={"Accept-Language": "en"})).text
    client.get("/?lang=en")
    db.expire_all()
    assert observer.locale == "en"


def test_the_language_chosen_before_signing_in_is_kept(client, paper, db):
    author = paper.people[Role.AUTHOR]
    client.get("/login?lang=fr")
    users.set_password(author, PASSWORD)
    db.flush()
    client.post(
        "/login",
        data={"email": author.email, "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert "Mes sections" in page(client.get("/")).text
    db.expire_all()
    assert author.locale == "fr"


def test_dates_follow_the_reader_s_locale(client, sign_in, paper):
    coordinator = paper.people[Role.COORDINATOR]
    section_service.update_section(paper.section, coordinator, due_date=date(2027, 3, 1))
    sign_in(paper.people[Role.OBSERVER])
    english = page(client.get(f"/papers/{paper.id}?lang=en")).text
    assert "Mar 1, 2027" in english
    french = page(client.get(f"/papers/{paper.id}?lang=fr")).text
    assert "1 mars 2027" in french


def test_section_titles_follow_the_paper_s_language(client, sign_in, create_paper):
    french_paper = create_paper(language="fr")
    section = section_service.list_sections(french_paper.id, french_paper.people[Role.OBSERVER])[
        2
    ].section
    sign_in(french_paper.people[Role.OBSERVER])
    overview = page(client.get(f"/papers/{french_paper.id}?lang=en")).text
    assert section.title_fr in overview
    assert section.title_en not in overview
    assert "Overview" in overview  # the interface stays in the reader's language
    section_page = page(client.get(f"/sections/{section.id}")).text
    assert section.title_fr in section_page


def test_state_labels_are_translated(client, sign_in, paper):
    sign_in(paper.people[Role.OBSERVER])
    text = page(client.get(f"/papers/{paper.id}?lang=fr")).text
    assert "En rédaction" in text
    assert "Drafting" not in text


def test_every_activity_action_has_a_label_in_both_languages():
    from app.models import ActivityAction
    from app.web.i18n import ACTIONS

    assert set(ACTIONS) == set(ActivityAction)
    catalog = _read_po()
    for action, label in ACTIONS.items():
        assert catalog.get(label._args[0]).string, f"{action} has no French label"


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("style", ["short", "medium", "long", "full"])
def test_a_timestamp_reads_as_babel_writes_it_in_each_language(app, language, style):
    """The page's dates come from patterns parsed once (templating.when): each reads exactly as
    flask_babel.format_datetime writes it, naive or aware, at any hour of any day."""
    from datetime import UTC, datetime, timedelta

    from flask_babel import force_locale, format_datetime

    from app.web import templating

    start = datetime(2024, 12, 31, 23, 59, 59)
    with app.test_request_context("/"), force_locale(language):
        for step in range(0, 400):
            moment = start + timedelta(hours=step * 7, minutes=step * 13, seconds=step)
            for value in (moment, moment.replace(tzinfo=UTC)):
                assert templating.when(value, style) == format_datetime(value, style) + " UTC"


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("style", ["short", "medium", "long", "full"])
def test_a_date_reads_as_babel_writes_it_in_each_language(app, language, style):
    """A date (a due date) too comes from a pattern parsed once: it reads exactly as
    flask_babel.format_date writes it, any day of the year."""
    from datetime import date, timedelta

    from flask_babel import force_locale, format_date

    from app.web import templating

    with app.test_request_context("/"), force_locale(language):
        for step in range(0, 400):
            day = date(2024, 12, 31) + timedelta(days=step)
            assert templating.when(day, style) == format_date(day, style)
