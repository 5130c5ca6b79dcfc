"""The demo: one user per role on the AI-and-culture paper, so `make run` shows a live paper.

The demo paper is English; `plume demo --language fr` adds the same paper in French, with the
same people and its reviewers' first comments in French. One paper per language, not both by
default: a second 27-section paper would double every demo user's queue.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from app.db import session
from app.models import Paper, PaperMember, Role
from app.services import alignment, papers, reviews, sections, users

DEMO_PASSWORD = "plume-demo-2026"
TEMPLATE = "ai-and-culture"
# (role on the paper, e-mail, name, sector)
DEMO_PEOPLE = [
    (Role.COORDINATOR, "coordinator@plume.demo", "Camille Laurent", "CLT"),
    (Role.AUTHOR, "consultant@plume.demo", "Jordan Mensah", "CLT"),
    (Role.REVIEWER, "reviewer.shs@plume.demo", "Aiko Tanaka", "SHS"),
    (Role.REVIEWER, "reviewer.la@plume.demo", "Rafael Ortiz", "LA"),
    (Role.SIGNATORY, "adg.clt@plume.demo", "Nadia Haddad", "CLT"),
    (Role.SIGNATORY, "ethics.shs@plume.demo", "Lars Berg", "SHS"),
    (Role.OBSERVER, "observer@plume.demo", "Priya Raman", "ED"),
]
ADMIN = ("admin@plume.demo", "Plume Admin", "CLT")


def load_demo(drafts_dir: Path, *, today: date | None = None, language: str = "en"):
    """Create the demo users and the paper in `language` once; later calls find them.
    Returns (paper, logins)."""
    today = today or date.today()
    people = {}
    for _role, email, name, sector in DEMO_PEOPLE:
        people[email] = users.find_by_email(email) or users.create_user(
            email, name, sector, password=DEMO_PASSWORD
        )
    admin_email, admin_name, admin_sector = ADMIN
    if users.find_by_email(admin_email) is None:
        users.create_user(
            admin_email, admin_name, admin_sector, password=DEMO_PASSWORD, is_admin=True
        )

    coordinator = people[DEMO_PEOPLE[0][1]]
    paper = session.scalar(
        select(Paper)
        .join(PaperMember, PaperMember.paper_id == Paper.id)
        .where(
            Paper.template == TEMPLATE,
            Paper.language == language,
            PaperMember.user_id == coordinator.id,
        )
        .order_by(Paper.id)
        .limit(1)
    )
    if paper is None:
        paper = papers.create_paper(
            coordinator, language=language, template_dir=drafts_dir / TEMPLATE
        )
        for role, email, _name, _sector in DEMO_PEOPLE[1:]:
            papers.add_member(paper, email, role, actor=coordinator)
        author = people["consultant@plume.demo"]
        rows = sections.list_sections(paper.id, coordinator)
        for index, row in enumerate(rows):
            sections.update_section(
                row.section,
                coordinator,
                lead_author_id=author.id,
                due_date=today + timedelta(days=7 + 3 * index),
            )
        _start_the_review(paper, people, coordinator)
    logins = [(str(role), email, DEMO_PASSWORD) for role, email, _n, _s in DEMO_PEOPLE]
    logins.append(("admin", admin_email, DEMO_PASSWORD))
    return paper, logins


# What the demo's reviewers have already said, in the paper's language:
# (section, reviewer, type, quote, body, proposal). The quotes are in the template's texts.
DEMO_COMMENTS = {
    "en": [
        (
            "3.4",
            "reviewer.shs@plume.demo",
            "substantive",
            "unless curators review them",
            "Say who is accountable when a generated description is wrong: the institution, "
            "not the provider.",
            "unless curators review them, and the institution remains accountable for what it "
            "publishes",
        ),
        (
            "3.4",
            "reviewer.la@plume.demo",
            "legal",
            "depend on external providers",
            "Procurement terms should secure the institution's rights over its data and the "
            "descriptions generated from it.",
            None,
        ),
    ],
    "fr": [
        (
            "3.4",
            "reviewer.shs@plume.demo",
            "substantive",
            "si les conservateurs ne les vérifient pas",
            "Préciser qui répond d’une description générée erronée\u00a0: l’institution, et "
            "non le prestataire.",
            "si les conservateurs ne les vérifient pas, l’institution restant responsable de "
            "ce qu’elle publie",
        ),
        (
            "3.4",
            "reviewer.la@plume.demo",
            "legal",
            "dépendent de prestataires extérieurs",
            "Les clauses des marchés devraient garantir les droits de l’institution sur ses "
            "données et sur les descriptions qui en sont tirées.",
            None,
        ),
    ],
}
DEMO_RATIONALE = {
    "en": "Transparency of generated descriptions is raised; explainability to visitors is "
    "not yet.",
    "fr": "La transparence des descriptions générées est abordée\u202f; leur explicabilité "
    "pour les visiteurs ne l’est pas encore.",
}


def _start_the_review(paper: Paper, people: dict, coordinator) -> None:
    """Two comments and one alignment decision, so the demo's pages are not empty."""
    by_number = {row.number: row.section for row in sections.list_sections(paper.id, coordinator)}
    for number, email, kind, quote, body, proposal in DEMO_COMMENTS[paper.language]:
        reviews.create_comment(
            by_number[number],
            people[email],
            reviews.NewComment(
                body=body, type=kind, quote={"exact": quote}, proposed_text=proposal
            ),
        )
    alignment.record_section_decision(
        by_number["3.4"],
        coordinator,
        item_code="REC2021.P7",
        status="partial",
        rationale=DEMO_RATIONALE[paper.language],
    )
