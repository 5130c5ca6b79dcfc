"""The demo that `make run` loads: one person per role, a live paper, and loading it twice
changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from app.db import session
from app.models import AlignmentDecision, Comment, Paper, User
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
