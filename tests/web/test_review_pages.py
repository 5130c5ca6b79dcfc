"""The review pages: comments on passages beside the section's text, their threads and
resolution, review rounds and the comment resolution matrix, and the dashboard's queues."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import docx
import pytest
from sqlalchemy import func, select

from app.models import Comment, CommentResolution, ReviewRound, Revision, Role
from app.services import papers, reviews, revisions, rounds, versions
from app.web import render
from tests.web.helpers import page

TEXT = (
    "Museums use *machine learning* to describe large collections.\n\n"
    "Generative AI raises questions of authenticity for intangible heritage, which "
    "communities must keep control of.\n\n"
    "Sound archives remain fragile."
)
PASSAGE = "raises questions of authenticity"


@pytest.fixture
def written(paper, db, create_user):
    """The paper's section written by its lead author, and a reviewer from CI too."""
    section, author = paper.section, paper.people[Role.AUTHOR]
    base = revisions.latest(section.id)
    revisions.save_revision(section, author, body=TEXT, base_revision_id=base.id if base else None)
    paper.ci_reviewer = create_user("CI", name="Ines Castro")
    papers.add_member(
        paper, paper.ci_reviewer.email, Role.REVIEWER, actor=paper.people[Role.COORDINATOR]
    )
    db.flush()
    return paper


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def _comment_form(**fields) -> dict:
    return {
        "type": "substantive",
        "body": "Say who raises them.",
        "quote_exact": PASSAGE,
        "quote_prefix": "",
        "quote_suffix": "",
        "proposed_text": "",
        **fields,
    }


def _make_comment(paper, user=None, **fields):
    """A comment made through the service, as the form would."""
    quote = fields.pop("quote", {"exact": PASSAGE})
    return reviews.create_comment(
        paper.section,
        user or paper.people[Role.REVIEWER],
        reviews.NewComment(
            body=fields.pop("body", "Say who raises them."),
            type=fields.pop("type", "substantive"),
            quote=quote,
            **fields,
        ),
    )


def _section_html(client, paper) -> str:
    response = client.get(f"/sections/{paper.section.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _comment_html(html: str, comment_id: int) -> str:
    """The comment's own article in the page."""
    start = html.index(f'id="comment-{comment_id}"')
    return html[start : html.index("</article>", start)]


# --- commenting ---------------------------------------------------------------------------


def test_a_comment_on_a_typed_quote_is_highlighted_on_its_passage(
    client, sign_in, written, post, db
):
    sign_in(written.people[Role.REVIEWER])
    html = _section_html(client, written)
    assert 'id="comment-form"' in html  # the form is there without JavaScript
    response = post(f"/sections/{written.section.id}/comments", _comment_form())
    assert response.status_code == 302
    comment = db.scalars(select(Comment)).one()
    assert response.location.endswith(f"/sections/{written.section.id}#comment-{comment.id}")
    assert comment.quote_exact == PASSAGE and comment.sector.code == "SHS"

    html = _section_html(client, written)
    assert f'<mark class="quote" data-comments="{comment.id}">{PASSAGE}</mark>' in html
    assert f'id="quote-{comment.id}"' in html  # the passage's anchor...
    assert f'href="#comment-{comment.id}"' in html  # ...and its link to the comment
    entry = _comment_html(html, comment.id)
    assert "Say who raises them." in entry and "SHS" in entry
    assert f'href="#quote-{comment.id}"' in entry  # and back to the passage


def test_a_passage_copied_from_the_page_is_found_in_the_markdown(
    client, sign_in, written, post, db
):
    """The page shows "machine learning" where the Markdown says "*machine learning*"."""
    sign_in(written.people[Role.REVIEWER])
    response = post(
        f"/sections/{written.section.id}/comments",
        _comment_form(quote_exact="use machine learning to\ndescribe"),
    )
    assert response.status_code == 302
    comment = db.scalars(select(Comment)).one()
    assert comment.quote_exact == "use *machine learning* to describe"
    html = _section_html(client, written)
    assert f'<em><mark class="quote" data-comments="{comment.id}">machine learning</mark>' in html


def test_a_quote_not_in_the_text_shows_the_error_and_keeps_what_was_typed(
    client, sign_in, written, post, db
):
    sign_in(written.people[Role.REVIEWER])
    response = post(
        f"/sections/{written.section.id}/comments",
        _comment_form(
            quote_exact="words nobody wrote", body="My careful words", proposed_text="Better"
        ),
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "not in the text" in page(response).text
    assert ">words nobody wrote</textarea>" in html
    assert ">My careful words</textarea>" in html
    assert ">Better</textarea>" in html
    assert _count(db, Comment) == 0


def test_a_whole_section_comment_needs_no_quote(client, sign_in, written, post, db):
    sign_in(written.people[Role.REVIEWER])
    response = post(f"/sections/{written.section.id}/comments", _comment_form(quote_exact=""))
    assert response.status_code == 302
    comment = db.scalars(select(Comment)).one()
    assert comment.quote_exact is None
    assert "On the whole section" in page(client.get(f"/sections/{written.section.id}")).text


def test_replies_are_threaded(client, sign_in, written, post, db):
    comment = _make_comment(written)
    sign_in(written.people[Role.AUTHOR])
    response = post(f"/comments/{comment.id}/replies", {"body": "Curators do."})
    assert response.status_code == 302
    db.expire_all()
    first = db.get(Comment, comment.id).replies[0]
    sign_in(written.people[Role.REVIEWER])
    response = post(
        f"/comments/{comment.id}/replies",
        {"body": "Which curators?", "parent_id": str(first.id)},
    )
    assert response.status_code == 302
    entry = _comment_html(_section_html(client, written), comment.id)
    # The answer to the reply sits inside the reply's own list item.
    reply = entry[entry.index(f'id="reply-{first.id}"') :]
    assert reply.index("Curators do.") < reply.index("Which curators?") < reply.index("</li>")
    assert '<ol class="replies">' in reply


def test_accepting_a_suggestion_applies_it_as_a_new_revision(client, sign_in, written, post, db):
    comment = _make_comment(written, proposed_text="raises questions of consent")
    sign_in(written.people[Role.AUTHOR])
    entry = _comment_html(_section_html(client, written), comment.id)
    assert f'action="/comments/{comment.id}/resolution"' in entry
    assert 'name="apply_suggestion"' in entry
    response = post(
        f"/comments/{comment.id}/resolution",
        {"decision": "accepted", "rationale": "", "apply_suggestion": "1"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    text = page(response).text
    assert "The suggestion is applied: revision 3." in text
    latest = revisions.latest(written.section.id)
    assert latest.number == 3 and "raises questions of consent for intangible" in latest.body
    shown = response.get_data(as_text=True).split('id="section-text"')[1].split("</div>")[0]
    assert "raises questions of consent" in shown
    assert "Accepted" in _comment_html(response.get_data(as_text=True), comment.id)


def test_a_refused_resolution_keeps_the_form(client, sign_in, written, post, db):
    comment = _make_comment(written)
    sign_in(written.people[Role.AUTHOR])
    response = post(f"/comments/{comment.id}/resolution", {"decision": "rejected"})
    assert response.status_code == 422
    entry = _comment_html(response.get_data(as_text=True), comment.id)
    assert "needs a rationale" in entry
    assert '<option value="rejected" selected>' in entry
    assert _count(db, CommentResolution) == 0


def test_a_reviewer_gets_no_resolve_form_and_may_not_post_one(client, sign_in, written, post, db):
    comment = _make_comment(written, proposed_text="raises questions of consent")
    revisions_before = _count(db, Revision)
    sign_in(written.people[Role.REVIEWER])
    html = _section_html(client, written)
    assert f"/comments/{comment.id}/resolution" not in html
    response = post(
        f"/comments/{comment.id}/resolution",
        {"decision": "accepted", "apply_suggestion": "1"},
    )
    assert response.status_code == 403
    db.expire_all()
    assert db.get(Comment, comment.id).status == "open"
    assert _count(db, CommentResolution) == 0
    assert _count(db, Revision) == revisions_before


def test_the_coordinator_reopens_and_the_history_shows_both(client, sign_in, written, post, db):
    comment = _make_comment(written)
    sign_in(written.people[Role.AUTHOR])
    post(f"/comments/{comment.id}/resolution", {"decision": "rejected", "rationale": "Off topic"})
    # The author may not reopen: the coordinator does.
    assert f"/comments/{comment.id}/reopen" not in _section_html(client, written)
    sign_in(written.people[Role.COORDINATOR])
    assert f"/comments/{comment.id}/reopen" in _section_html(client, written)
    response = post(f"/comments/{comment.id}/reopen", {"rationale": "It is on topic"})
    assert response.status_code == 302
    entry = _comment_html(_section_html(client, written), comment.id)
    page_text = " ".join(re.sub(r"<[^>]+>", " ", entry).split())
    author = written.people[Role.AUTHOR].name
    coordinator = written.people[Role.COORDINATOR].name
    assert f"Resolved (Rejected) by {author}" in page_text
    assert "Off topic" in page_text
    assert f"Reopened by {coordinator}" in page_text
    assert "It is on topic" in page_text
    assert page_text.index("Resolved (Rejected)") < page_text.index("Reopened by")
    assert f"/comments/{comment.id}/resolution" in entry  # open again: it can be resolved


def test_the_author_edits_or_withdraws_until_answered(client, sign_in, written, post, db):
    comment = _make_comment(written)
    sign_in(written.people[Role.REVIEWER])
    assert f"/comments/{comment.id}/edit" in _section_html(client, written)
    post(f"/comments/{comment.id}/edit", {"type": "legal", "body": "Cite the law."})
    db.expire_all()
    assert db.get(Comment, comment.id).type == "legal"
    assert "(edited)" in page(client.get(f"/sections/{written.section.id}")).text

    reviews.reply(comment, written.people[Role.AUTHOR], "Which law?")
    db.flush()
    assert f"/comments/{comment.id}/withdraw" not in _section_html(client, written)
    response = post(f"/comments/{comment.id}/withdraw")
    assert response.status_code == 409
    db.expire_all()
    assert db.get(Comment, comment.id).status == "open"


def test_an_orphaned_comment_is_listed_apart_with_its_original_quote(client, sign_in, written, db):
    comment = _make_comment(written, quote={"exact": "Sound archives remain fragile."})
    author = written.people[Role.AUTHOR]
    current = revisions.latest(written.section.id)
    revisions.save_revision(
        written.section,
        author,
        body=TEXT.replace("\n\nSound archives remain fragile.", ""),
        base_revision_id=current.id,
    )
    db.flush()
    assert comment.orphaned
    sign_in(written.people[Role.OBSERVER])
    html = _section_html(client, written)
    text = html.split('id="section-text"')[1].split("</div>")[0]
    assert "<mark" not in text
    orphans = html[html.index('id="orphaned-title"') :]
    assert f'id="comment-{comment.id}"' in orphans
    assert "<mark>Sound archives remain fragile.</mark>" in orphans
    assert "Its passage is no longer in the text" in orphans
    listed = html[html.index('id="comments-title"') : html.index('id="orphaned-title"')]
    assert f'id="comment-{comment.id}"' not in listed


def test_a_form_without_its_csrf_token_is_refused(client, sign_in, written, db):
    sign_in(written.people[Role.REVIEWER])
    response = client.post(f"/sections/{written.section.id}/comments", data=_comment_form())
    assert response.status_code == 400
    assert _count(db, Comment) == 0


# --- the highlighting itself ---------------------------------------------------------------


def _passage(text: str, words: str, comment_id: int = 1) -> render.Passage:
    start = text.index(words)
    return render.Passage(comment_id, start, start + len(words), str(comment_id))


def test_a_passage_whose_markers_would_change_the_text_is_left_plain():
    text = "# Heading\n\nSee [the site](https://example.org/a) now."
    html, found = render.markdown_with_passages(text, [_passage(text, "# Heading")])
    assert found == set() and "<mark" not in html
    assert html == render.markdown(text)
    # Ending inside a link's address: plain too.
    html, found = render.markdown_with_passages(text, [_passage(text, "site](https")])
    assert found == set() and html == render.markdown(text)
    # The link's words themselves are marked inside the link.
    html, found = render.markdown_with_passages(text, [_passage(text, "the site")])
    assert found == {1}
    assert '<mark class="quote" data-comments="1">the site</mark></a>' in html


def test_overlapping_passages_share_their_common_words():
    text = "One two three four."
    html, found = render.markdown_with_passages(
        text, [_passage(text, "One two three", 1), _passage(text, "two three four", 2)]
    )
    assert found == {1, 2}
    assert '<mark class="quote" data-comments="1 2">two three</mark>' in html


# --- review rounds and the matrix ------------------------------------------------------------


def _open_round(paper, sectors=("SHS",)):
    coordinator = paper.people[Role.COORDINATOR]
    version = versions.freeze_version(paper, coordinator, f"v0.{len(sectors)}")
    return rounds.open_round(
        paper,
        coordinator,
        version_id=version.id,
        sectors=list(sectors),
        deadline=datetime.now(UTC) + timedelta(days=10),
    )


def test_a_round_opened_through_the_form_admits_its_sectors_only(
    client, sign_in, written, post, db
):
    coordinator = written.people[Role.COORDINATOR]
    version = versions.freeze_version(written, coordinator, "v0.1")
    sign_in(coordinator)
    tab = page(client.get(f"/papers/{written.id}/rounds"))
    assert "Open a review round" in tab.text
    assert tab.find("a", href=f"/papers/{written.id}/rounds")  # the paper's tab
    day = (datetime.now(UTC) + timedelta(days=14)).date().isoformat()
    response = post(
        f"/papers/{written.id}/rounds",
        {
            "version_id": str(version.id),
            "sectors": ["SHS"],
            "deadline_date": day,
            "deadline_time": "17:00",
        },
    )
    assert response.status_code == 302
    review_round = db.scalars(select(ReviewRound)).one()
    assert response.location.endswith(f"/rounds/{review_round.id}")
    assert [s.code for s in review_round.sectors] == ["SHS"]
    assert review_round.deadline == datetime.fromisoformat(f"{day}T17:00:00+00:00")
    listed = page(client.get(f"/papers/{written.id}/rounds")).text
    assert f"Round {review_round.id}" in listed and "v0.1" in listed and "Open" in listed

    # A reviewer of the invited sector is offered the round and comments within it.
    sign_in(written.people[Role.REVIEWER])
    html = _section_html(client, written)
    assert f'<option value="{review_round.id}" selected>' in html
    post(f"/sections/{written.section.id}/comments", _comment_form(round_id=review_round.id))
    assert db.scalars(select(Comment)).one().round_id == review_round.id

    # A reviewer from another sector is not offered it, and may not post into it.
    sign_in(written.ci_reviewer)
    assert 'name="round_id"' not in _section_html(client, written)
    response = post(
        f"/sections/{written.section.id}/comments",
        _comment_form(round_id=review_round.id, body="From CI"),
    )
    assert response.status_code == 403
    assert "not invited" in page(response).text
    assert _count(db, Comment) == 1


def test_a_refused_round_keeps_the_form(client, sign_in, written, post, db):
    coordinator = written.people[Role.COORDINATOR]
    version = versions.freeze_version(written, coordinator, "v0.1")
    sign_in(coordinator)
    response = post(
        f"/papers/{written.id}/rounds",
        {
            "version_id": str(version.id),
            "sectors": ["CI"],
            "deadline_date": "2001-01-01",
            "deadline_time": "09:30",
        },
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "The deadline must be in the future." in html
    assert 'value="2001-01-01"' in html and 'value="09:30"' in html
    assert 'value="CI" checked' in html
    assert _count(db, ReviewRound) == 0


def test_the_coordinator_extends_a_round(client, sign_in, written, post, db):
    review_round = _open_round(written)
    sign_in(written.people[Role.REVIEWER])
    assert "Extend the deadline" not in page(client.get(f"/rounds/{review_round.id}")).text
    sign_in(written.people[Role.COORDINATOR])
    later = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
    response = post(
        f"/rounds/{review_round.id}/deadline",
        {"deadline_date": later, "deadline_time": "12:00"},
    )
    assert response.status_code == 302
    db.expire_all()
    assert db.get(ReviewRound, review_round.id).deadline == datetime.fromisoformat(
        f"{later}T12:00:00+00:00"
    )


@pytest.fixture
def matrix(written, db):
    """A round with three comments: SHS substantive (resolved), SHS legal, CI editorial."""
    review_round = _open_round(written, sectors=("SHS", "CI"))
    reviewer, ci = written.people[Role.REVIEWER], written.ci_reviewer
    first = _make_comment(written, reviewer, round_id=review_round.id, proposed_text="asks")
    _make_comment(
        written,
        reviewer,
        type="legal",
        body="Cite the 2005 Convention.",
        quote={"exact": "intangible heritage"},
        round_id=review_round.id,
    )
    _make_comment(written, ci, type="editorial", body="Shorter, please.", round_id=review_round.id)
    reviews.resolve(first, written.people[Role.AUTHOR], decision="noted")
    db.flush()
    written.round = review_round
    return written


def test_the_round_page_filters_its_matrix(client, sign_in, matrix):
    sign_in(matrix.people[Role.OBSERVER])
    url = f"/rounds/{matrix.round.id}"

    def rows(query=""):
        parsed = page(client.get(url + query))
        return parsed.find("th", scope="row"), parsed.text

    everything, text = rows()
    assert len(everything) == 3
    assert "Cite the 2005 Convention." in text and "Shorter, please." in text
    assert len(rows("?type=legal")[0]) == 1
    assert len(rows("?sector=CI")[0]) == 1
    assert len(rows("?decision=open")[0]) == 2
    assert len(rows("?decision=noted")[0]) == 1
    only, text = rows("?sector=SHS&type=substantive")
    assert len(only) == 1 and "Say who raises them." in text
    # The downloads keep the filters.
    assert f"/rounds/{matrix.round.id}/matrix.csv?sector=SHS" in client.get(
        url + "?sector=SHS"
    ).get_data(as_text=True)
    assert client.get(url + "?decision=maybe").status_code == 400


def test_the_whole_paper_matrix(client, sign_in, matrix, db):
    _make_comment(matrix, body="Outside any round.")
    db.flush()
    sign_in(matrix.people[Role.OBSERVER])
    response = client.get(f"/papers/{matrix.id}/comment-matrix")
    assert response.status_code == 200
    assert len(page(response).find("th", scope="row")) == 4
    assert "Outside any round." in page(response).text


def test_the_matrix_downloads_as_csv_one_row_per_comment(client, sign_in, matrix):
    sign_in(matrix.people[Role.OBSERVER])
    response = client.get(f"/rounds/{matrix.round.id}/matrix.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0][0] == "Sector" and "Decision" in rows[0]
    assert len(rows) == 1 + 3
    assert {row[0] for row in rows[1:]} == {"SHS", "CI"}
    filtered = client.get(f"/rounds/{matrix.round.id}/matrix.csv?sector=CI")
    assert len(list(csv.reader(io.StringIO(filtered.get_data().decode("utf-8-sig"))))) == 2


def test_the_matrix_downloads_as_a_word_table_one_row_per_comment(client, sign_in, matrix):
    sign_in(matrix.people[Role.OBSERVER])
    for url in (
        f"/rounds/{matrix.round.id}/matrix.docx",
        f"/papers/{matrix.id}/comment-matrix.docx",
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Content-Disposition"].startswith("attachment;")
        document = docx.Document(io.BytesIO(response.get_data()))
        table = document.tables[0]
        assert len(table.rows) == 1 + 3
        cells = [cell.text for row in table.rows[1:] for cell in row.cells]
        assert "Cite the 2005 Convention." in cells


def test_the_csv_defuses_every_formula_start_and_the_word_table_keeps_the_text(
    client, sign_in, matrix, db
):
    reviewer = matrix.people[Role.REVIEWER]
    starts = ["=1+1", "+44 20", "-1 is too few", "@mention"]  # the service strips a leading tab
    for body in starts:
        _make_comment(matrix, reviewer, body=body, proposed_text=body, round_id=matrix.round.id)
    db.flush()
    sign_in(matrix.people[Role.OBSERVER])
    data = client.get(f"/rounds/{matrix.round.id}/matrix.csv").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data)))
    comments, proposed = [row[5] for row in rows[1:]], [row[6] for row in rows[1:]]
    for body in starts:
        assert "'" + body in comments and "'" + body in proposed, body
    assert "Shorter, please." in comments  # text that runs nothing is left alone
    document = docx.Document(io.BytesIO(client.get(f"/rounds/{matrix.round.id}/matrix.docx").data))
    cells = [cell.text for row in document.tables[0].rows[1:] for cell in row.cells]
    assert "-1 is too few" in cells and "'-1 is too few" not in cells


def test_a_non_member_gets_no_matrix(client, sign_in, matrix, create_user):
    sign_in(create_user("SC"))
    assert client.get(f"/rounds/{matrix.round.id}").status_code == 404
    assert client.get(f"/rounds/{matrix.round.id}/matrix.csv").status_code == 404


# --- the dashboard -----------------------------------------------------------------------------


def test_the_dashboard_lists_the_four_queues(
    client, sign_in, written, db, today, freeze_for_signature
):
    author = written.people[Role.AUTHOR]
    written.section.due_date = today - timedelta(days=2)
    review_round = _open_round(written)
    comment = _make_comment(written, round_id=review_round.id)
    db.flush()

    sign_in(author)
    response = client.get("/")
    text = page(response).text
    assert "Sections I lead 1" in text and "overdue" in text
    assert "1 open comment" in text
    assert "Comments awaiting my resolution 1" in text
    assert f'href="/sections/{written.section.id}#comment-{comment.id}"' in response.get_data(
        as_text=True
    )

    sign_in(written.people[Role.REVIEWER])
    response = client.get("/")
    text = page(response).text
    assert "Review rounds awaiting my sector 1" in text
    assert f"Round {review_round.id}" in text and "1 comment from my sector" in text
    assert f'href="/rounds/{review_round.id}"' in response.get_data(as_text=True)

    sign_in(written.ci_reviewer)
    assert "Review rounds awaiting my sector 0" in page(client.get("/")).text

    sign_in(written.people[Role.SIGNATORY])
    text = page(client.get("/")).text
    assert "Versions awaiting my signature 0" in text  # v0.1 is for review: nothing to sign
    freeze_for_signature(written, "v1.0")
    text = page(client.get("/")).text
    assert "Versions awaiting my signature 1" in text and "v1.0" in text


# --- in French -----------------------------------------------------------------------------------


def test_the_review_pages_speak_french(client, sign_in, matrix):
    sign_in(matrix.people[Role.AUTHOR], language="fr")
    text = page(client.get(f"/sections/{matrix.section.id}")).text
    for words in ("Nouveau commentaire", "Envoyer le commentaire", "Répondre", "Traiter"):
        assert words in text, words
    assert "New comment" not in text
    text = page(client.get(f"/papers/{matrix.id}/rounds")).text
    assert "Cycles de relecture" in text and "Ouvert" in text
    text = page(client.get(f"/rounds/{matrix.round.id}")).text
    assert "Matrice de résolution des commentaires" in text and "Télécharger (Word)" in text
    text = page(client.get("/")).text
    assert "Commentaires en attente de ma décision" in text


def test_a_long_review_shows_open_comments_first_fifty_at_a_time_in_constant_statements(
    client, sign_in, written, db
):
    from sqlalchemy import event, insert

    section, reviewer = written.section, written.people[Role.REVIEWER]
    revision = revisions.latest(section.id)

    def add(count: int, resolved: bool) -> list[int]:
        rows = db.scalars(
            insert(Comment).returning(Comment.id),
            [
                {
                    "section_id": section.id,
                    "revision_id": revision.id,
                    "author_id": reviewer.id,
                    "sector_id": reviewer.sector_id,
                    "type": "editorial",
                    "body": f"{'Settled' if resolved else 'Waiting'} {n}",
                    "status": "resolved" if resolved else "open",
                    "decision": "noted" if resolved else None,
                    "quote_prefix": "",
                    "quote_suffix": "",
                    "orphaned": False,
                }
                for n in range(count)
            ],
        )
        return list(rows)

    resolved, waiting = add(30, True), add(60, False)  # the resolved ones are older
    db.flush()
    sign_in(written.people[Role.OBSERVER])

    def shown(url: str):
        statements = []

        def count(*_args):
            statements.append(1)

        engine = db.get_bind().engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            html = client.get(url).get_data(as_text=True)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        ids = [
            int(i) for i in re.findall(r'<article class="comment[^"]*" id="comment-(\d+)"', html)
        ]
        return ids, html, len(statements)

    first, html, first_statements = shown(f"/sections/{section.id}")
    assert first == waiting[:50]
    assert "Show 40 more comments" in html and "40 comments not shown yet" in html
    more = re.search(r'href="([^"]*comments=100[^"]*)#comments"', html).group(1)
    second, html, second_statements = shown(more.replace("&amp;", "&"))
    assert second == waiting + resolved[:40]
    assert "not shown yet" not in html, re.findall(r".{200}not shown yet.{100}", html, re.S)
    everything, html, _ = shown(f"/sections/{section.id}?comments=1000")
    assert everything == waiting + resolved and "not shown yet" not in html
    assert first_statements == second_statements
    # The filters stay in the "more" link; the count of open comments covers them all.
    _ids, html, _ = shown(f"/sections/{section.id}?only_open=1&comments=10")
    assert re.search(r'href="[^"]*comments=60[^"]*only_open=1[^"]*#comments"', html) or re.search(
        r'href="[^"]*only_open=1[^"]*comments=60[^"]*#comments"', html
    )
