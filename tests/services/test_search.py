"""Full-text search through the service, on both databases, in French and in English."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, event

from app.db import session
from app.models import PaperMember, Role, Section
from app.services import (
    alignment,
    position_decisions,
    reviews,
    revisions,
    search,
    search_index,
    users,
)
from app.services.errors import BadInput, NotFound
from app.services.search import Filters

FRENCH = (
    "Les droits d’auteur protègent les œuvres que les musées numérisent.\n\n"
    "Le patrimoine immatériel des communautés reste fragile face à l’IA générative."
)
ENGLISH = (
    "Museums digitise their collections; generative models learn from them.\n\n"
    "Copyright and cultural rights protect creators and communities."
)


def add_section(paper, number: str, title: str, body: str | None = None, *, by=None):
    """A section of the paper, with a first revision when `body` is given."""
    section = Section(
        paper_id=paper.id, position=int(number.replace(".", "")), number=number, title_en=title
    )
    session.add(section)
    session.flush()
    if body is not None:
        write(section, body, by or paper.people[Role.COORDINATOR])
    return section


def write(section, body: str, user):
    current = revisions.latest(section.id)
    return revisions.save_revision(
        section, user, body=body, base_revision_id=current.id if current else None
    )


def comment(paper, section, body: str, *, by=None, **fields):
    fields.setdefault("type", "substantive")
    return reviews.create_comment(
        section, by or paper.people[Role.REVIEWER], reviews.NewComment(body=body, **fields)
    )


def find(user, text: str, **filters):
    return search.search(user, text, Filters(**filters))


def found(results) -> list[tuple[str, int]]:
    return [(hit.source, hit.id) for hit in results.hits]


@pytest.fixture
def french(create_paper):
    paper = create_paper(blank=True, language="fr")
    paper.section = add_section(paper, "1", "Droits et musées", FRENCH)
    return paper


@pytest.fixture
def english(create_paper):
    paper = create_paper(blank=True, language="en")
    paper.section = add_section(paper, "1", "Collections and rights", ENGLISH)
    return paper


# --- language -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "droits d'auteur",  # a straight apostrophe finds the typographic one
        "droit d’auteur",  # singular, typographic
        "DROITS D’AUTEUR",
        "musée",  # musées: the singular finds the plural
        "musees",  # without the accent
        "oeuvre",  # œuvres, spelt without the ligature
        "generative",  # générative
    ],
)
def test_french_accents_apostrophes_and_stems(french, query):
    reader = french.people[Role.OBSERVER]
    results = find(reader, query, paper_id=french.id)
    assert found(results) == [("section", french.section.id)], query


def test_english_stems_and_the_snippet_marks_the_words(english):
    results = find(english.people[Role.OBSERVER], "museum collection", paper_id=english.id)
    assert found(results) == [("section", english.section.id)]
    snippet = str(results.hits[0].snippet)
    assert "<mark>Museums</mark>" in snippet
    assert "<mark>collections</mark>" in snippet
    assert results.hits[0].score > 0


def test_a_french_snippet_marks_the_original_words(french):
    results = find(french.people[Role.OBSERVER], "musée", paper_id=french.id)
    assert "<mark>musées</mark>" in str(results.hits[0].snippet)
    results = find(french.people[Role.OBSERVER], "droits d'auteur", paper_id=french.id)
    snippet = str(results.hits[0].snippet)
    # PostgreSQL marks "auteur" (it drops the d'), SQLite the whole "d’auteur".
    assert "<mark>droits</mark>" in snippet and "auteur</mark>" in snippet


def test_a_snippet_reads_as_the_page_shows_it_without_markdown(english):
    section = add_section(
        english,
        "2",
        "Formats",
        "## Provenance\n\n"
        "Museums record **provenance** and _consent_ in the "
        "[registry](https://example.org/registry_of_loans).\n\n"
        "- `watermarking` of ~~scans~~ images",
    )
    reader = english.people[Role.OBSERVER]
    results = find(reader, "provenance consent registry", paper_id=english.id)
    assert found(results) == [("section", section.id)]
    snippet = str(results.hits[0].snippet)
    assert "<mark>provenance</mark> and <mark>consent</mark> in the <mark>registry</mark>" in (
        snippet
    )
    for markup in ("*", "_consent", "[", "](", "https", "##", "`", "~~", "- "):
        assert markup not in snippet, markup
    # The link's address is not text: searching for it finds nothing.
    assert found(find(reader, "example loans", paper_id=english.id)) == []
    # A word of the list item is found and shown plain.
    snippet = str(find(reader, "watermarking", paper_id=english.id).hits[0].snippet)
    assert "<mark>watermarking</mark> of scans images" in snippet


def test_a_comment_snippet_has_no_markdown(english):
    reader = english.people[Role.OBSERVER]
    made = comment(english, english.section, "Please **cite** the [source](https://x.org).")
    results = find(reader, "cite source", paper_id=english.id, kind="comment")
    assert found(results) == [("comment", made.id)]
    snippet = str(results.hits[0].snippet)
    assert "Please <mark>cite</mark> the <mark>source</mark>" in snippet
    assert "*" not in snippet and "https" not in snippet


def test_phrases_exclusion_and_or(french):
    reader = french.people[Role.OBSERVER]
    other = add_section(
        french, "2", "Autre", "Le droit des communautés sur leur patrimoine, et un auteur."
    )
    both = {("section", french.section.id), ("section", other.id)}
    # Both sections have the words; only the first has the phrase.
    assert set(found(find(reader, "droit auteur", paper_id=french.id))) == both
    assert found(find(reader, '"droits d’auteur"', paper_id=french.id)) == [
        ("section", french.section.id)
    ]
    assert found(find(reader, '"droit d\'auteur"', paper_id=french.id)) == [
        ("section", french.section.id)
    ]
    # Exclusion, of a word and of a phrase.
    assert found(find(reader, "patrimoine -musée", paper_id=french.id)) == [("section", other.id)]
    assert found(find(reader, 'communautés -"droits d\'auteur"', paper_id=french.id)) == [
        ("section", other.id)
    ]
    # Either word.
    assert set(found(find(reader, "musées or communautés", paper_id=french.id))) == both
    # Nothing to look for: no hits, no error.
    assert find(reader, "-musée", paper_id=french.id).hits == []
    assert find(reader, "de des", paper_id=french.id).hits == []  # stop words only


def test_text_is_escaped_in_snippets(english):
    add_section(english, "2", "Markup", "Quote marks < and > stay text: museum & co.")
    results = find(english.people[Role.OBSERVER], "museum text", paper_id=english.id)
    snippet = str(results.hits[0].snippet)
    assert "&lt; and &gt;" in snippet
    assert "<mark>museum</mark>" in snippet


# --- what is found --------------------------------------------------------------------


def test_comments_replies_and_decisions_are_found(english):
    paper, section = english, english.section
    coordinator, reviewer = paper.people[Role.COORDINATOR], paper.people[Role.REVIEWER]
    alignment.choose_frameworks(paper, coordinator, ["REC2021"])
    note = comment(paper, section, "Name the provenance of training datasets.")
    answer = reviews.reply(note, coordinator, "The provenance table is in annex 2.")
    decided = alignment.record_section_decision(
        section,
        coordinator,
        item_code="REC2021.P7",
        status="partial",
        rationale="Explainability of recommender systems is only sketched.",
    )
    settled = position_decisions.record_position_decision(
        paper,
        coordinator,
        question="Should the paper endorse opt-out registries?",
        options=["yes", "no"],
        decision="Endorse them for living artists.",
        rationale="Legal affairs advised caution.",
        sectors=["CLT", "SHS"],
    )
    reader = paper.people[Role.OBSERVER]
    assert set(found(find(reader, "provenance"))) == {("comment", note.id), ("reply", answer.id)}
    hits = find(reader, "recommender explainability").hits
    assert [(h.kind, h.source, h.id, h.item_code) for h in hits] == [
        ("decision", "alignment", decided.id, "REC2021.P7")
    ]
    assert find(reader, "P7").hits[0].id == decided.id  # the item's code
    assert found(find(reader, "opt-out registries")) == [("position", settled.id)]
    reply_hit = next(h for h in find(reader, "annex").hits if h.source == "reply")
    assert reply_hit.comment_id == note.id and reply_hit.author_id == coordinator.id
    assert find(reader, "provenance", kind="decision").hits == []
    assert {h.source for h in find(reader, "provenance", kind="comment").hits} == {
        "comment",
        "reply",
    }
    assert found(find(reader, "provenance", sector="SHS")) == [("comment", note.id)]
    assert found(find(reader, "provenance", author_id=reviewer.id)) == [("comment", note.id)]


def test_results_follow_edits(english):
    paper, section = english, english.section
    reader = paper.people[Role.OBSERVER]
    assert found(find(reader, "museums")) == [("section", section.id)]
    write(section, "Libraries lend books.", paper.people[Role.COORDINATOR])
    assert find(reader, "museums").hits == []
    assert found(find(reader, "libraries")) == [("section", section.id)]
    note = comment(paper, section, "Libraries also digitise.")
    reviews.edit_comment(note, paper.people[Role.REVIEWER], body="Archives also digitise.")
    assert found(find(reader, "archives")) == [("comment", note.id)]
    assert found(find(reader, "libraries")) == [("section", section.id)]


def test_a_resolved_comment_is_found_with_its_rationale_and_a_withdrawn_one_is_not(english):
    paper, section = english, english.section
    reader = paper.people[Role.OBSERVER]
    note = comment(paper, section, "Cite the 2005 Convention here.")
    reviews.resolve(
        note, paper.people[Role.COORDINATOR], decision="rejected", rationale="Cited in 2.1."
    )
    hits = find(reader, "convention").hits
    assert [(h.id, h.status) for h in hits] == [(note.id, "resolved")]
    assert [h.id for h in find(reader, "cited").hits] == [note.id]  # the rationale
    gone = comment(paper, section, "Mention the Faro Convention.")
    reviews.withdraw_comment(gone, paper.people[Role.REVIEWER])
    assert [h.id for h in find(reader, "convention").hits] == [note.id]


# --- who finds what -------------------------------------------------------------------


def test_a_paper_i_am_not_a_member_of_never_appears(english, french, create_user):
    outsider = create_user("SC")
    assert find(outsider, "museums").hits == []
    assert find(outsider, "musées").hits == []
    with pytest.raises(NotFound):
        find(outsider, "museums", paper_id=english.id)
    # A member of the English paper alone sees it alone.
    member = english.people[Role.REVIEWER]
    assert {h.paper_id for h in find(member, "museums or musées").hits} == {english.id}
    # An admin may read every paper.
    admin = create_user("CLT", admin=True)
    assert {h.paper_id for h in find(admin, "museums or musées").hits} == {english.id, french.id}


def test_a_removed_member_finds_nothing_and_a_disabled_authors_words_stay(english, create_user):
    paper, section = english, english.section
    reviewer, observer = paper.people[Role.REVIEWER], paper.people[Role.OBSERVER]
    note = comment(paper, section, "Heritage communities must consent.")
    admin = create_user("CLT", admin=True)
    users.set_active(reviewer, False, actor=admin)
    hits = find(observer, "consent").hits
    assert [(h.id, h.author_name) for h in hits] == [(note.id, reviewer.name)]
    session.execute(
        delete(PaperMember).where(
            PaperMember.paper_id == paper.id, PaperMember.user_id == observer.id
        )
    )
    assert find(observer, "consent").hits == []
    with pytest.raises(NotFound):
        find(observer, "consent", paper_id=paper.id)


def test_an_unknown_kind_is_refused(english):
    with pytest.raises(BadInput):
        find(english.people[Role.OBSERVER], "museums", kind="everything")


def test_a_replaced_alignment_decision_is_no_longer_found(english):
    paper, section = english, english.section
    coordinator = paper.people[Role.COORDINATOR]
    alignment.choose_frameworks(paper, coordinator, ["REC2021"])
    first = alignment.record_section_decision(
        section,
        coordinator,
        item_code="REC2021.P7",
        status="partial",
        rationale="Explainability of recommender systems is only sketched.",
    )
    second = alignment.record_section_decision(
        section,
        coordinator,
        item_code="REC2021.P7",
        status="aligned",
        rationale="Section 3 now explains how recommender systems rank works.",
    )
    reader = paper.people[Role.OBSERVER]
    assert [h.id for h in find(reader, "recommender", kind="decision").hits] == [second.id]
    assert find(reader, "sketched").hits == []
    # Rebuilding the index (as the migrations do) keeps to the decisions in force too.
    search_index.reindex(session.connection(), [paper.id])
    assert [h.id for h in find(reader, "recommender", kind="decision").hits] == [second.id]
    assert first.id != second.id


# --- facets, paging, cost ---------------------------------------------------------------


def test_facets_count_what_the_other_choices_keep(english):
    paper, section = english, english.section
    other = add_section(paper, "2", "Community museums", "Museums run by communities.")
    comment(paper, section, "Which museums?")
    comment(paper, other, "Small museums too.", by=paper.people[Role.COORDINATOR])
    reader = paper.people[Role.OBSERVER]
    results = find(reader, "museums", paper_id=paper.id)
    assert results.total == 4
    kinds = {f.value: f.count for f in results.facets["kind"]}
    assert kinds == {"section": 2, "comment": 2}
    assert [f.number for f in results.facets["section"]] == ["1", "2"]
    assert {f.value: f.count for f in results.facets["sector"]} == {"CLT": 3, "SHS": 1}

    chosen = find(reader, "museums", paper_id=paper.id, kind="comment")
    assert chosen.total == 2 and {h.kind for h in chosen.hits} == {"comment"}
    # The kind facet still offers sections; the sector facet counts comments only.
    assert {f.value: (f.count, f.selected) for f in chosen.facets["kind"]} == {
        "section": (2, False),
        "comment": (2, True),
    }
    assert {f.value: f.count for f in chosen.facets["sector"]} == {"CLT": 1, "SHS": 1}
    in_two = find(reader, "museums", paper_id=paper.id, section_id=other.id)
    assert in_two.total == 2 and {h.section_id for h in in_two.hits} == {other.id}


def test_the_section_facet_offers_the_sections_that_say_it_most(english, monkeypatch):
    paper = english
    monkeypatch.setattr(search, "SECTION_FACETS", 2)
    quiet = add_section(paper, "2", "Archives", "Archives and museums.")
    loud = add_section(paper, "3", "Museums", "Museums, museums and more museums.")
    comment(paper, loud, "Museums again.")
    reader = paper.people[Role.OBSERVER]

    offered = find(reader, "museums", paper_id=paper.id).facets["section"]
    assert [(f.value, f.count) for f in offered] == [(paper.section.id, 1), (loud.id, 2)]
    # A section chosen from elsewhere (a link) is offered, selected, whatever its count.
    chosen = find(reader, "museums", paper_id=paper.id, section_id=quiet.id).facets["section"]
    assert (quiet.id, True) in [(f.value, f.selected) for f in chosen]
    assert len(chosen) == 2


def test_paging(english):
    for n in range(5):
        comment(english, english.section, f"Museum remark number {n}.")
    reader = english.people[Role.OBSERVER]
    first = search.search(reader, "museum", Filters(paper_id=english.id), limit=4)
    second = search.search(reader, "museum", Filters(paper_id=english.id), limit=4, offset=4)
    assert first.total == second.total == 6
    assert len(first.hits) == 4 and len(second.hits) == 2 and first.has_more
    assert not {(h.source, h.id) for h in first.hits} & {(h.source, h.id) for h in second.hits}


def count_statements(function) -> int:
    engine = session.get_bind().engine
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        function()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_a_search_costs_the_same_statements_however_many_hits(english, french):
    reader = english.people[Role.COORDINATOR]
    session.add(PaperMember(paper_id=french.id, user_id=reader.id, role=Role.OBSERVER))
    session.flush()

    def run():
        find(reader, "museum or musée")

    few = count_statements(run)
    for n in range(30):
        comment(english, english.section, f"Museum {n}")
        comment(french, french.section, f"Musée {n}")
    assert count_statements(run) == few
    assert few <= 7
