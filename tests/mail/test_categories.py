"""Every kind of notification as its recipient reads it, in English and in French: one mail
each, the paper's name first in the subject, comment threads kept together."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app import mail
from app.db import session
from app.models import Role, Section
from app.services import (
    notifications,
    papers,
    reminders,
    reviews,
    revisions,
    rounds,
    sections,
    signoff,
    users,
    versions,
)

TEXT = "Museums digitise their collections.\n\nGenerative AI raises questions of authenticity."


def _everything(paper, extra_signatory):
    """One event of each kind, each telling the author (EN) or the reviewer (FR)."""
    people = paper.people
    coordinator, author, reviewer = (
        people[Role.COORDINATOR],
        people[Role.AUTHOR],
        people[Role.REVIEWER],
    )
    section = session.scalar(
        select(Section).where(Section.paper_id == paper.id, Section.number == "3.4")
    )
    current = revisions.latest(section.id)
    revisions.save_revision(
        section, coordinator, body=TEXT, base_revision_id=current.id if current else None
    )
    sections.update_section(section, coordinator, lead_author_id=author.id)  # assigned
    section.due_date = datetime.now(UTC).date() + timedelta(days=3)
    reminders.send_reminders()  # due in 3 days
    first = reviews.create_comment(  # on my section (digest), and a mention of the author
        section,
        reviewer,
        reviews.NewComment(
            body=f"@{author.name} who decides what is authentic?",
            type="substantive",
            quote={"exact": "raises questions", "prefix": "Generative AI ", "suffix": ""},
        ),
    )
    reviews.reply(first, author, "The communities themselves.")  # reply, to the reviewer
    reviews.resolve(first, author, decision="noted", rationale="Kept as is")  # decision
    second = reviews.create_comment(
        section,
        reviewer,
        reviews.NewComment(
            body="Authenticity needs a definition.",
            type="editorial",
            quote={"exact": "authenticity", "prefix": "questions of ", "suffix": "."},
        ),
    )
    revisions.save_revision(  # orphans the second comment
        section,
        author,
        body="Museums digitise their collections.",
        base_revision_id=revisions.latest(section.id).id,
    )
    version = versions.freeze_version(
        paper, coordinator, "v1.0", purpose="signature", override_reason="Tested before approval"
    )  # for signature
    review_round = rounds.open_round(  # opened, for the reviewer's sector
        paper,
        coordinator,
        version_id=version.id,
        sectors=["SHS"],
        deadline=datetime.now(UTC) + timedelta(hours=30),
    )
    rounds.extend_round(review_round, coordinator, datetime.now(UTC) + timedelta(hours=40))
    reminders.send_reminders()  # closing in 48 h
    reminders.send_reminders(datetime.now(UTC) + timedelta(hours=41))  # closed
    signoff.record_position(version, extra_signatory, "block", reason="Legal must read 3.4")
    signoff.record_position(version, extra_signatory, "approve")
    signoff.record_position(version, people[Role.SIGNATORY], "approve")  # signed off
    session.commit()
    return second


def test_every_category_once_in_each_language(db, smtp, create_paper, create_user):
    paper = create_paper()
    paper.title = "AI and culture: a position paper for UNESCO"
    people = paper.people
    coordinator = people[Role.COORDINATOR]
    extra = create_user("SHS", name="Lars Berg")
    papers.add_member(paper, extra.email, Role.SIGNATORY, actor=coordinator)
    users.set_locale(people[Role.REVIEWER], "fr")
    users.set_locale(extra, "fr")
    # The reviewer (SHS) and the extra signatory (SHS) are both invited to the round.
    notifications.update_settings(people[Role.AUTHOR], {"section_comments": "immediately"})
    _everything(paper, extra)
    assert mail.deliver_pending() > 0
    assert mail.deliver_pending() == 0

    seen = {}
    for message in smtp.messages:
        key = (message["X-Plume-Event"], message["To"], message["In-Reply-To"])
        assert key not in seen, f"twice: {key}"
        seen[key] = message
        assert message["Subject"].startswith("[AI and culture: a position…] ")
    events = {event for event, _, _ in seen}
    assert events == {
        "section.assigned",
        "section.due_soon",
        "comment.on_my_section",
        "comment.mention",
        "comment.reply",
        "comment.decision",
        "comment.orphaned",
        "version.for_signature",
        "round.opened",
        "round.extended",
        "round.closing",
        "round.closed",
        "version.blocked",
        "version.signed_off",
    }
    # A comment's mails are one thread.
    threaded = [m for (event, _, _), m in seen.items() if event.startswith("comment.")]
    assert all(m["In-Reply-To"] and m["References"] == m["In-Reply-To"] for m in threaded)
    by_language = {"en": {}, "fr": {}}
    for (event, to, _), message in sorted(seen.items(), key=lambda item: str(item[0])):
        language = "fr" if any(u.email in to for u in (people[Role.REVIEWER], extra)) else "en"
        by_language[language].setdefault(event, message["Subject"])
    assert "a ouvert un cycle de relecture" in by_language["fr"]["round.opened"]
    assert "opened a review round" not in by_language["fr"]["round.opened"]
    # Each kind as it reads in both languages (the closing note lists them).
    from app.mail.messages import notification_message
    from app.models import Notification, User

    print()
    firsts = {}
    for item in session.scalars(select(Notification).order_by(Notification.id)):
        firsts.setdefault(item.event, item)
    for event, item in sorted(firsts.items()):
        recipient = session.get(User, item.user_id)
        kept = recipient.locale
        subjects = {}
        for language in ("en", "fr"):
            recipient.locale = language
            subjects[language] = notification_message(item, recipient)["Subject"]
        recipient.locale = kept
        assert subjects["en"] != subjects["fr"], event
        print(f"{event}\n  EN {subjects['en']}\n  FR {subjects['fr']}")
