"""A paper starts in its own language: a French paper with the template's French texts, an
English one with the English texts, and a missing translation is said, never silent."""

from __future__ import annotations

import logging
import shutil

from app.models import ActivityAction, Role
from app.services import activity, papers, reviews, revisions
from app.services import sections as section_service


def _openings(paper) -> dict[str, tuple[str, str]]:
    """Each section's number -> (text, summary) of its first revision."""
    rows = section_service.list_sections(paper.id, paper.people[Role.COORDINATOR])
    openings = {}
    for row in rows:
        [revision] = revisions.list_revisions(row.section)
        openings[row.number] = (revision.body, revision.summary)
    return openings


def _files(folder) -> dict[str, tuple[str, str]]:
    """number -> (English, French) opening text as written in the files, read without the app:
    the section file's body, and the file of the same name under fr/."""
    texts = {}
    for path in sorted(folder.glob("*.md")):
        head, _, body = path.read_text(encoding="utf-8").partition("\n---\n")
        number = next(line for line in head.splitlines() if line.startswith("number:"))
        french = folder / "fr" / path.name
        texts[number.split(":", 1)[1].strip().strip('"')] = (
            body.strip("\n") + "\n",
            french.read_text(encoding="utf-8") if french.exists() else None,
        )
    return texts


def _created(paper) -> dict:
    """What the paper's creation recorded in the activity log."""
    [entry] = [
        entry
        for entry in activity.list_for_paper(paper.id)
        if entry.action == ActivityAction.PAPER_CREATED
    ]
    return entry.after


def test_a_french_paper_starts_every_section_in_french(db, create_paper, drafts_dir):
    paper = create_paper(language="fr")
    openings = _openings(paper)
    files = _files(drafts_dir / "ai-and-culture")
    assert len(openings) == len(files) == 27
    for number, (text, summary) in openings.items():
        english, french = files[number]
        assert text == french != english, number
        assert summary == "Texte initial du modèle", number
    assert openings["1"][0].startswith("L’intelligence artificielle intervient déjà")
    assert (
        paper.title
        == "Intelligence artificielle et culture\u00a0: document d’orientation de l’UNESCO"
    )
    assert paper.description.startswith("Un document d’orientation sur les principaux enjeux")
    assert "untranslated_sections" not in _created(paper)


def test_an_english_paper_starts_with_the_english_texts_as_before(db, create_paper, drafts_dir):
    paper = create_paper(language="en")
    files = _files(drafts_dir / "ai-and-culture")
    openings = _openings(paper)
    assert {n: text for n, (text, _summary) in openings.items()} == {
        n: english for n, (english, _french) in files.items()
    }
    assert {summary for _text, summary in openings.values()} == {"Opening text from the template"}
    assert paper.title == "Artificial intelligence and culture: a UNESCO position paper"
    assert paper.description.startswith("A position paper on the main current issues")
    assert "untranslated_sections" not in _created(paper)


def test_a_missing_french_text_falls_back_to_english_and_says_so(
    db, create_user, drafts_dir, tmp_path, caplog
):
    folder = shutil.copytree(drafts_dir / "ai-and-culture", tmp_path / "ai-and-culture")
    (folder / "fr" / "04-3-bias.md").unlink()
    coordinator = create_user("CLT")
    with caplog.at_level(logging.WARNING, logger="app.services.papers"):
        paper = papers.create_paper(coordinator, language="fr", template_dir=folder)
    paper.people = {Role.COORDINATOR: coordinator}
    openings = _openings(paper)
    files = _files(folder)

    text, summary = openings["4.3"]
    assert files["4.3"][1] is None
    assert text == files["4.3"][0]
    assert summary == (
        "Texte initial du modèle, en anglais\u00a0: le modèle n’a pas de texte français "
        "pour cette section"
    )
    others = {number: opening for number, opening in openings.items() if number != "4.3"}
    assert all(text == files[number][1] for number, (text, _s) in others.items())
    assert {summary for _text, summary in others.values()} == {"Texte initial du modèle"}

    assert _created(paper)["untranslated_sections"] == ["4.3"]
    [record] = [r for r in caplog.records if r.name == "app.services.papers"]
    assert record.levelno == logging.WARNING
    assert "sections 4.3 start in another language" in record.getMessage()


def test_a_reviewer_may_quote_a_french_passage_with_plain_spaces(db, create_paper):
    paper = create_paper(language="fr")
    rows = section_service.list_sections(paper.id, paper.people[Role.COORDINATOR])
    section = next(row.section for row in rows if row.number == "4.3")
    # As a reviewer types it, or as a browser copies it: a plain space before the colon.
    typed = "source de préoccupation : des recherches"
    comment = reviews.create_comment(
        section,
        paper.people[Role.REVIEWER],
        reviews.NewComment(
            body="Citer ces recherches.", type="substantive", quote={"exact": typed}
        ),
    )
    body = revisions.latest(section.id).body
    passage = typed.replace(" :", "\u00a0:")
    assert body[comment.anchor_start : comment.anchor_end] == passage
    # Kept as the text has it, so that every export finds the passage again.
    assert comment.quote_exact == passage
    assert not comment.orphaned
