"""Search, "new since my last visit" and the filters, as people see them on the pages."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.models import Comment, Role
from app.services import reviews, revisions
from tests.web.helpers import page

TEXT = (
    "Museums digitise their collections.\n\n"
    "Source communities keep a say over how their heritage is shown."
)


@pytest.fixture
def written(paper, db):
    section, author = paper.section, paper.people[Role.AUTHOR]
    base = revisions.latest(section.id)
    revisions.save_revision(section, author, body=TEXT, base_revision_id=base.id if base else None)
    db.flush()
    return paper


def save(paper, body: str, user=None):
    section = paper.section
    return revisions.save_revision(
        section,
        user or paper.people[Role.AUTHOR],
        body=body,
        base_revision_id=revisions.latest(section.id).id,
    )


def comment(paper, body: str, user=None):
    return reviews.create_comment(
        paper.section,
        user or paper.people[Role.REVIEWER],
        reviews.NewComment(body=body, type="substantive"),
    )


# --- search -----------------------------------------------------------------------------


def test_every_paper_page_has_a_search_box(client, sign_in, written):
    sign_in(written.people[Role.OBSERVER])
    for path in (
        f"/papers/{written.id}",
        f"/papers/{written.id}/activity",
        f"/sections/{written.section.id}",
        f"/sections/{written.section.id}/history",
    ):
        shown = page(client.get(path))
        boxes = shown.find("input", name="q")
        assert boxes and shown.find("input", name="paper_id", value=str(written.id)), path


def test_the_results_page_shows_hits_snippets_and_facets(client, sign_in, written):
    comment(written, "Which source communities were consulted?")
    sign_in(written.people[Role.OBSERVER])
    response = client.get(f"/search?q=source+communities&paper_id={written.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    shown = page(response)
    assert "2 results" in shown.text
    links = [a["href"] for a in shown.find("a") if "data-result" in a]
    assert f"/sections/{written.section.id}" in links
    assert any("#comment-" in link for link in links)
    assert "<mark>communities</mark>" in html
    # Facets: each a link that narrows the search, with its count.
    assert "Section text" in shown.text and "Comments and replies" in shown.text
    kind_links = [a["href"] for a in shown.find("a") if "kind=comment" in a.get("href", "")]
    narrowed = page(client.get(kind_links[0]))
    assert "1 result" in narrowed.text
    assert "#comment-" in next(a["href"] for a in narrowed.find("a") if "data-result" in a)


def test_filters_that_leave_nothing_offer_the_search_without_them(client, sign_in, written):
    sign_in(written.people[Role.OBSERVER])
    # The section text matches; no comment does, so the facets that chose comments vanish.
    shown = page(client.get(f"/search?q=museums&paper_id={written.id}&kind=comment&sector=SHS"))
    assert "0 results" in shown.text and "Nothing found with these filters." in shown.text
    undo = next(a["href"] for a in shown.find("a") if "data-search-unfiltered" in a)
    assert "kind=" not in undo and "sector=" not in undo and f"paper_id={written.id}" in undo
    unfiltered = page(client.get(undo))
    assert "Nothing found" not in unfiltered.text
    assert f"/sections/{written.section.id}" in [
        a["href"] for a in unfiltered.find("a") if "data-result" in a
    ]


def test_search_in_french_on_the_page(client, sign_in, written):
    sign_in(written.people[Role.OBSERVER], language="fr")
    shown = page(client.get(f"/search?q=museum&paper_id={written.id}"))
    assert "Rechercher" in shown.text or "Recherche" in shown.text


def test_the_results_page_without_a_query_or_for_an_outsider(client, sign_in, written, create_user):
    sign_in(written.people[Role.OBSERVER])
    assert client.get(f"/search?paper_id={written.id}").status_code == 200
    assert client.get("/search?q=museums").status_code == 200
    sign_in(create_user("SC"))
    assert client.get(f"/search?q=museums&paper_id={written.id}").status_code == 404
    assert "0 results" in page(client.get("/search?q=museums")).text


# --- what is new since my last visit -------------------------------------------------------


def news_of(shown, section_id: int) -> str:
    """The "new" markers beside a section on the overview."""
    html = shown
    row = re.search(rf'<tr[^>]*id="row-{section_id}".*?</tr>', html, re.S).group(0)
    return " ".join(re.sub(r"<[^>]+>", " ", row).split())


def test_another_users_edit_is_new_until_i_open_the_section(client, sign_in, written):
    paper, section = written, written.section
    reader = paper.people[Role.REVIEWER]
    sign_in(reader)
    client.get(f"/sections/{section.id}")  # I have read it
    overview = client.get(f"/papers/{paper.id}").get_data(as_text=True)
    assert "Text changed" not in news_of(overview, section.id)

    seen = revisions.latest(section.id)
    save(paper, TEXT.replace("digitise", "photograph"))
    edited = save(paper, TEXT.replace("digitise", "photograph") + "\n\nA third paragraph.")
    comment(paper, "The coordinator asks: which museums?", paper.people[Role.COORDINATOR])

    overview = client.get(f"/papers/{paper.id}").get_data(as_text=True)
    marks = news_of(overview, section.id)
    assert "Text changed" in marks and "1 new comment" in marks
    dashboard = page(client.get("/"))
    assert "new since my last visit" in dashboard.text

    shown = client.get(f"/sections/{section.id}").get_data(as_text=True)
    assert "Changed since your last visit" in shown
    link = re.search(r'href="([^"]+)" class="news-diff"', shown).group(1).replace("&amp;", "&")
    assert f"from={seen.id}" in link and f"to={edited.id}" in link
    # The diff is exactly what changed since: digitise -> photograph, and the new paragraph.
    html = client.get(link).get_data(as_text=True)
    diff = re.search(r'<div class="diff card">(.*?)</div>', html, re.S).group(1)
    assert re.findall(r"<del>([^<]*)</del>", diff) == ["digitise"]
    inserted = " ".join(re.findall(r"<ins>([^<]*)</ins>", diff))
    assert "photograph" in inserted and "A third paragraph." in inserted
    assert re.search(r'class="badge new">New<', shown)  # the coordinator's comment

    # Seen now: nothing is new any more, on the overview nor on the section.
    overview = client.get(f"/papers/{paper.id}").get_data(as_text=True)
    assert "Text changed" not in news_of(overview, section.id)
    assert "new comment" not in news_of(overview, section.id)
    again = client.get(f"/sections/{section.id}").get_data(as_text=True)
    assert "Changed since your last visit" not in again
    assert 'class="badge new">New<' not in again


def test_my_own_changes_are_not_new_to_me(client, sign_in, written):
    paper, section = written, written.section
    author = paper.people[Role.AUTHOR]
    sign_in(author)
    client.get(f"/sections/{section.id}")
    save(paper, TEXT + "\n\nMine.", author)
    overview = client.get(f"/papers/{paper.id}").get_data(as_text=True)
    assert "Text changed" not in news_of(overview, section.id)


def test_a_section_never_opened_is_new(client, sign_in, written):
    sign_in(written.people[Role.OBSERVER])
    overview = client.get(f"/papers/{written.id}").get_data(as_text=True)
    assert "New" in news_of(overview, written.section.id)


# --- filters ------------------------------------------------------------------------------


def test_section_page_filters_are_kept_in_the_url(client, sign_in, written, db):
    paper = written
    reviewer, coordinator = paper.people[Role.REVIEWER], paper.people[Role.COORDINATOR]
    open_one = comment(paper, "Still open.")
    done = comment(paper, "Already done.")
    reviews.resolve(done, coordinator, decision="accepted")
    theirs = comment(paper, "From the coordinator.", coordinator)
    sign_in(reviewer)

    def shown(query: str) -> set[int]:
        html = client.get(f"/sections/{paper.section.id}{query}").get_data(as_text=True)
        return {
            int(n) for n in re.findall(r'<article class="comment[^"]*" id="comment-(\d+)"', html)
        }

    assert shown("") == {open_one.id, done.id, theirs.id}
    assert shown("?hide_resolved=1") == {open_one.id, theirs.id}
    assert shown("?only_open=1") == {open_one.id, theirs.id}
    assert shown("?mine=1") == {open_one.id, done.id}
    assert shown("?mine=1&hide_resolved=1") == {open_one.id}
    assert shown("?my_sector=1") == {open_one.id, done.id}  # SHS, the reviewer's
    html = client.get(f"/sections/{paper.section.id}?mine=1").get_data(as_text=True)
    assert re.search(r'name="mine" value="1" checked', html)
    assert "1 comment hidden" in html
    assert db.scalar(select(Comment.id).where(Comment.id == theirs.id))


def test_activity_filters_and_cursor(client, sign_in, written):
    paper = written
    coordinator, reviewer = paper.people[Role.COORDINATOR], paper.people[Role.REVIEWER]
    mine = comment(paper, "My remark.")
    reviews.reply(mine, coordinator, "Answered.")
    comment(paper, f"Over to you, @{reviewer.name}.", coordinator)
    sign_in(reviewer)

    def feed(query: str) -> str:
        return page(client.get(f"/papers/{paper.id}/activity{query}")).text

    def items(query: str) -> list[str]:
        html = client.get(f"/papers/{paper.id}/activity{query}").get_data(as_text=True)
        return [
            " ".join(re.sub(r"<[^>]+>", " ", item).split())
            for item in re.findall(r'<li class="feed-item.*?</li>', html, re.S)
        ]

    everything = items("")
    assert len(everything) > 5
    by_coordinator = items(f"?person={coordinator.id}")
    assert by_coordinator and all(coordinator.name in item for item in by_coordinator)
    by_shs = items("?sector=SHS")
    assert by_shs and all(reviewer.name in item for item in by_shs)
    # About me: the reply to my comment, and the comment that mentions me; not my own.
    about = items("?about=me")
    assert len(about) == 2, about
    assert all(coordinator.name in item for item in about)
    only_replies = items("?action=comment.replied")
    assert len(only_replies) == 1 and coordinator.name in only_replies[0]
    in_section = items(f"?section={paper.section.id}")
    assert len(in_section) == 6  # the lead author, the revision, three comments, the reply
    # The cursor keeps the filters: one entry a page.
    older = items(f"?section={paper.section.id}&before={10**9}")
    assert older == in_section
