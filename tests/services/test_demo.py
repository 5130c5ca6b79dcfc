"""The demo that `make run` loads: one person per role, a live paper, and loading it twice
changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.db import session
from app.models import AlignmentDecision, Comment, Paper, Section, User
from app.services import demo, users


def _count(model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_the_demo_paper_is_assigned_and_already_under_review(db, drafts_dir, today):
    paper, logins = demo.load_demo(drafts_dir, today=today)
    assert {role for role, _email, _password in logins} == {
        "coordinator",
        "author",
        "reviewer",
        "signatory",
        "observer",
        "admin",
    }
    for _role, email, password in logins:
        assert users.check_password(email, password) is not None

    comments = session.scalars(select(Comment).order_by(Comment.id)).all()
    assert [(c.sector.code, c.type, c.orphaned) for c in comments] == [
        ("SHS", "substantive", False),
        ("LA", "legal", False),
    ]
    assert _count(AlignmentDecision) == 1

    counts = (_count(Paper), _count(User), _count(Comment))
    again, _ = demo.load_demo(drafts_dir, today=today)
    assert again.id == paper.id
    assert (_count(Paper), _count(User), _count(Comment)) == counts


@pytest.mark.slow
def test_the_french_demo_paper_is_a_second_paper_in_french(db, drafts_dir, today):
    english, _ = demo.load_demo(drafts_dir, today=today)
    french, _ = demo.load_demo(drafts_dir, today=today, language="fr")
    assert french.id != english.id
    assert (french.language, english.language) == ("fr", "en")
    assert french.title.startswith("Intelligence artificielle et culture")

    comments = session.scalars(
        select(Comment).join(Section).where(Section.paper_id == french.id).order_by(Comment.id)
    ).all()
    # Each quote was found in the French text of section 3.4, not left orphaned.
    assert [(c.sector.code, c.orphaned, c.quote_exact) for c in comments] == [
        ("SHS", False, "si les conservateurs ne les vérifient pas"),
        ("LA", False, "dépendent de prestataires extérieurs"),
    ]
    decision = session.scalars(
        select(AlignmentDecision).join(Section).where(Section.paper_id == french.id)
    ).one()
    assert decision.rationale.startswith("La transparence des descriptions générées")

    again, _ = demo.load_demo(drafts_dir, today=today, language="fr")
    assert again.id == french.id
    assert _count(Paper) == 2
