"""What is new since my last visit: two people, one edits, the other sees it until they look."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from app.db import session
from app.models import Role, Section
from app.services import reviews, revisions, visits


@pytest.fixture
def paper(create_paper):
    paper = create_paper()
    paper.section = session.scalar(
        select(Section).where(Section.paper_id == paper.id, Section.number == "3.4")
    )
    return paper


def save(paper, body: str, user):
    current = revisions.latest(paper.section.id)
    return revisions.save_revision(
        paper.section, user, body=body, base_revision_id=current.id if current else None
    )


def news(paper, user):
    return visits.news_for_paper(user, paper.id)[paper.section.id]


def test_one_edits_the_other_sees_new_until_they_look(paper):
    author, reader = paper.people[Role.COORDINATOR], paper.people[Role.REVIEWER]
    assert not news(paper, reader).visited  # never opened: all of it is new
    visits.mark_seen(reader, paper.section)
    seen = news(paper, reader)
    assert seen.visited and not seen.anything
    seen_revision = revisions.latest(paper.section.id)
    assert seen.seen_revision_id == seen_revision.id

    save(paper, "New text.", author)
    save(paper, "Newer text.", author)
    note = reviews.create_comment(
        paper.section, author, reviews.NewComment(body="Look again.", type="editorial")
    )
    reviews.reply(note, author, "Really.")
    changed = news(paper, reader)
    assert changed.text_changed and changed.new_revisions == 2
    assert (changed.new_comments, changed.new_replies) == (1, 1)
    assert changed.seen_revision_id == seen_revision.id  # where the diff starts
    # Nothing of it is new to the one who wrote it.
    mine = news(paper, author)
    assert (mine.new_revisions, mine.new_comments, mine.new_replies) == (0, 0, 0)
    by_paper = visits.news_by_paper(reader, [paper.id])[paper.id]
    assert (by_paper.comments, by_paper.replies) == (1, 1) and by_paper.sections >= 1

    visits.mark_seen(reader, paper.section)
    assert not news(paper, reader).anything
    assert visits.news_by_paper(reader, [paper.id])[paper.id].comments == 0


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


def test_the_overview_s_brief_news_counts_only_where_the_reader_has_been(paper):
    author, reader = paper.people[Role.COORDINATOR], paper.people[Role.REVIEWER]
    other = session.scalar(
        select(Section).where(Section.paper_id == paper.id, Section.id != paper.section.id)
    )
    visits.mark_seen(reader, paper.section)
    for section in (paper.section, other):
        for n in range(3):
            note = reviews.create_comment(
                section, author, reviews.NewComment(body=f"Note {n}.", type="editorial")
            )
            reviews.reply(note, author, "Indeed.")
    full = visits.news_for_paper(reader, paper.id)
    brief = visits.news_for_paper(reader, paper.id, brief=True)
    assert brief.keys() == full.keys()
    # Where the reader has been: the same exact counts.
    assert brief[paper.section.id] == full[paper.section.id]
    assert (full[paper.section.id].new_comments, full[paper.section.id].new_replies) == (3, 3)
    # Never opened: whether there is anything, not how much.
    assert (full[other.id].new_comments, full[other.id].new_replies) == (3, 3)
    assert not brief[other.id].visited and brief[other.id].anything
    assert (brief[other.id].new_comments, brief[other.id].new_replies) == (1, 1)
    # A section with nothing by others is not new, briefly or not.
    quiet = [i for i, n in full.items() if not n.anything]
    assert all(not brief[i].anything for i in quiet)
    assert {i for i, n in brief.items() if n.anything} == {i for i, n in full.items() if n.anything}
    # Nothing is new to the one who wrote it all.
    mine = visits.news_for_paper(author, paper.id, brief=True)
    assert not mine[paper.section.id].new_comments and not mine[other.id].new_comments


def test_news_costs_one_statement_and_a_visit_one_upsert(paper):
    reader = paper.people[Role.REVIEWER]
    assert count_statements(lambda: visits.news_for_paper(reader, paper.id)) == 1
    assert count_statements(lambda: visits.news_by_paper(reader, [paper.id])) == 1
    assert (
        count_statements(
            lambda: visits.record_visit(
                reader, paper.section, revision_id=None, comment_id=None, reply_id=None
            )
        )
        == 1
    )
