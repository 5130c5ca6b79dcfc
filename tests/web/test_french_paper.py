"""A French paper read in the browser: its sections open on the French text, and a section
that the template could not give in French is named in the paper's activity."""

from __future__ import annotations

import shutil

from app.models import Role
from app.services import papers
from app.services import sections as section_service
from tests.web.helpers import page


def _section(paper, number: str):
    rows = section_service.list_sections(paper.id, paper.people[Role.COORDINATOR])
    return next(row.section for row in rows if row.number == number)


def test_a_french_paper_s_section_page_shows_the_french_text(client, sign_in, create_paper):
    paper = create_paper(language="fr")
    section = _section(paper, "3.1")
    sign_in(paper.people[Role.OBSERVER])
    response = client.get(f"/sections/{section.id}?lang=en")
    text = page(response).text
    assert "Patrimoine matériel et vivant" in text
    assert "Pour le patrimoine matériel, la vision par ordinateur et la télédétection" in text
    assert "La Convention de 2003 pour la sauvegarde du patrimoine culturel immatériel" in text
    assert "For tangible heritage" not in text
    assert "Texte initial du modèle" in text
    # The no-break spaces reach the page (Page.text folds them into plain spaces).
    html = response.get_data(as_text=True)
    assert "patrimoine vivant\u202f; les projets" in html


def test_a_section_left_in_english_is_named_in_the_activity(
    client, sign_in, create_user, drafts_dir, tmp_path
):
    folder = shutil.copytree(drafts_dir / "ai-and-culture", tmp_path / "ai-and-culture")
    (folder / "fr" / "04-3-bias.md").unlink()
    coordinator = create_user("CLT")
    paper = papers.create_paper(coordinator, language="fr", template_dir=folder)
    sign_in(coordinator)
    french = page(client.get(f"/papers/{paper.id}/activity?lang=fr")).text
    assert "sections qui commencent dans une autre langue 4.3" in french
    english = page(client.get(f"/papers/{paper.id}/activity?lang=en")).text
    assert "sections that start in another language 4.3" in english
    section = page(client.get(f"/sections/{_section_id(paper, coordinator, '4.3')}")).text
    assert "Models trained mostly on content from a few regions" in section
    assert "en anglais : le modèle n’a pas de texte français pour cette section" in section


def _section_id(paper, user, number: str) -> int:
    rows = section_service.list_sections(paper.id, user)
    return next(row.id for row in rows if row.number == number)
