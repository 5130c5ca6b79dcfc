"""The shipped AI-and-culture template: well-formed, and what the terms of reference ask for."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from app.models import FrameworkItem, Sector
from app.services.errors import BadInput
from app.services.templates import OpeningText, number_key, read_template


def test_the_template_reads_in_document_order(drafts_dir):
    template = read_template(drafts_dir / "ai-and-culture")
    numbers = [section.number for section in template.sections]
    assert numbers == sorted(numbers, key=number_key)
    assert numbers[:3] == ["1", "2", "3"]
    assert {"3.1", "3.2", "3.3", "3.4", "3.5"} <= set(numbers)  # the ToR's domains
    assert template.frameworks == ("REC2021", "CONV2005")
    for section in template.sections:
        assert section.title_en and section.title_fr and section.title_fr != section.title_en
        assert len(section.brief) > 80 and section.brief_fr
        assert set(section.bodies) == {"en", "fr"}, f"section {section.number} lacks a text"
        assert section.bodies["fr"] != section.bodies["en"]
    assert template.untranslated("fr") == template.untranslated("en") == ()


def test_the_template_names_only_known_sectors_and_items(db, drafts_dir):
    template = read_template(drafts_dir / "ai-and-culture")
    sectors = set(db.scalars(select(Sector.code)))
    items = set(db.scalars(select(FrameworkItem.code)))
    for section in template.sections:
        assert set(section.reviewers) <= sectors, section.number
        assert section.expected_items and set(section.expected_items) <= items, section.number


def test_the_terms_of_reference_points_are_covered(drafts_dir):
    briefs = " ".join(s.brief for s in read_template(drafts_dir / "ai-and-culture").sections)
    for point in ("ToR (a)", "ToR (b)", "ToR (c)", "ToR (d)", "ToR (e)", "ToR (f)"):
        assert point in briefs
    assert "cultural institutions can align their AI strategies" in briefs


def test_number_key_orders_like_a_reader():
    numbers = ["3", "2.10", "A", "2.2", "10", "2"]
    assert sorted(numbers, key=number_key) == ["2", "2.2", "2.10", "3", "10", "A"]


# --- The French texts --------------------------------------------------------------------------

NO_BREAK = "\u00a0\u202f"  # a no-break space, or the narrow one (espace fine insécable)
# Link targets and bare URLs are not prose: "https://" keeps its colon tight.
_NOT_PROSE = re.compile(r"\]\([^)]*\)|<[a-z]+://[^>]*>|\b[a-z]+://\S+")
_TYPOGRAPHY = [
    (re.compile("'"), "a straight apostrophe (write ’)"),
    (re.compile('"'), "a straight quote (write « »)"),
    (re.compile(f"(?<![{NO_BREAK}])[:;!?]"), "no no-break space before : ; ! ?"),
    (re.compile(f"«(?![{NO_BREAK}])"), "no no-break space after «"),
    (re.compile(f"(?<![{NO_BREAK}])»"), "no no-break space before »"),
]


def typography_problems(text: str) -> list[str]:
    """Where a French text breaks French typography, with a little context each."""
    prose = _NOT_PROSE.sub(" ", text)
    problems = []
    for pattern, what in _TYPOGRAPHY:
        for match in pattern.finditer(prose):
            context = prose[max(0, match.start() - 25) : match.end() + 15].replace("\n", " ")
            problems.append(f"{what}: …{context}…")
    return problems


def test_the_typography_check_finds_what_it_should():
    good = "Titre\u00a0: l\u2019IA, «\u202fmot\u202f», vrai\u202f? https://unesco.org [a](http://x)"
    assert typography_problems(good) == []
    [problem] = typography_problems(good.replace("\u202f?", " ?"))
    assert problem.startswith("no no-break space before : ; ! ?: …") and "vrai ?" in problem
    assert len(typography_problems("Titre: l'IA, « mot » !")) == 5


def _french_texts(folder: Path) -> dict[str, str]:
    """Every French text of a template, read from its files: the paper's title and
    description, each section's title and brief, and each French opening text."""
    texts = {}
    paper = yaml.safe_load((folder / "paper.yaml").read_text(encoding="utf-8"))
    texts["paper.yaml title_fr"] = paper["title_fr"]
    texts["paper.yaml description_fr"] = paper["description_fr"]
    for path in sorted(folder.glob("*.md")):
        meta = yaml.safe_load(path.read_text(encoding="utf-8").split("\n---", 1)[0][4:])
        texts[f"{path.name} title_fr"] = meta["title_fr"]
        texts[f"{path.name} brief_fr"] = meta["brief_fr"]
    for path in sorted((folder / "fr").glob("*.md")):
        texts[f"fr/{path.name}"] = path.read_text(encoding="utf-8")
    return texts


def test_every_french_text_uses_french_typography(drafts_dir):
    texts = _french_texts(drafts_dir / "ai-and-culture")
    assert len(texts) == 2 + 2 * 27 + 27
    problems = [
        f"{name}: {problem}"
        for name, text in texts.items()
        for problem in typography_problems(text)
    ]
    assert problems == []


def _shape(markdown: str) -> list[tuple[str, int]]:
    """A text's Markdown structure: the kind of each block (heading level, list item with its
    number, paragraph) and its count of emphasis marks."""
    shape = []
    for line in markdown.strip().splitlines():
        if not line.strip():
            continue
        if heading := re.match(r"#+ ", line):
            kind = f"h{len(heading.group()) - 1}"
        elif item := re.match(r"\s*(\d+\.|[-*+]) ", line):
            kind = item.group(1)
        else:
            kind = "paragraph"
        shape.append((kind, line.count("**"), line.count("*") - 2 * line.count("**")))
    return shape


def test_each_french_text_keeps_the_structure_of_the_english_one(drafts_dir):
    template = read_template(drafts_dir / "ai-and-culture")
    for section in template.sections:
        english, french = section.bodies["en"], section.bodies["fr"]
        assert _shape(french) == _shape(english), section.number
        # French, not English left in place: the commonest English words are absent.
        assert not re.search(r"\b(the|and|of|which)\b", french), section.number


def test_a_translated_text_without_its_section_file_is_refused(tmp_path, drafts_dir):
    folder = shutil.copytree(drafts_dir / "ai-and-culture", tmp_path / "t")
    (folder / "fr" / "03-1-heritage.md").rename(folder / "fr" / "03-1-heritage-fr.md")
    with pytest.raises(BadInput) as refused:
        read_template(folder)
    assert refused.value.reason == "template_translation_unmatched"
    assert refused.value.params["path"] == "fr/03-1-heritage-fr.md"


def test_a_translated_text_with_front_matter_is_refused(tmp_path, drafts_dir):
    folder = shutil.copytree(drafts_dir / "ai-and-culture", tmp_path / "t")
    text = folder / "fr" / "09-positioning.md"
    text.write_text("---\ntitle_fr: Positionnement\n---\n" + text.read_text(encoding="utf-8"))
    with pytest.raises(BadInput) as refused:
        read_template(folder)
    assert refused.value.reason == "template_translation_front_matter"
    assert "front matter" in refused.value.message


def test_a_missing_translation_is_listed_and_falls_back(tmp_path, drafts_dir):
    folder = shutil.copytree(drafts_dir / "ai-and-culture", tmp_path / "t")
    (folder / "fr" / "04-3-bias.md").unlink()
    (folder / "fr" / "09-positioning.md").write_text("\n\n", encoding="utf-8")  # empty: none
    template = read_template(folder)
    assert template.untranslated("fr") == ("4.3", "9")
    assert template.untranslated("en") == ()
    bias = next(section for section in template.sections if section.number == "4.3")
    assert template.opening_text(bias, "fr").language == "en"
    assert template.opening_text(bias, "fr").text == bias.bodies["en"]


def test_a_template_written_in_french_holds_its_english_texts_under_en(tmp_path):
    (tmp_path / "paper.yaml").write_text("title_en: Notes\ntitle_fr: Notes\nlanguage: fr\n")
    (tmp_path / "01-a.md").write_text("---\nnumber: 1\ntitle_en: A\n---\nTexte français.\n")
    (tmp_path / "02-b.md").write_text("---\nnumber: 2\ntitle_en: B\n---\nAutre texte.\n")
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "01-a.md").write_text("English text.\n")
    template = read_template(tmp_path)
    first, _second = template.sections
    assert template.opening_text(first, "en") == OpeningText("English text.\n", "en")
    assert template.opening_text(first, "fr") == OpeningText("Texte français.\n", "fr")
    assert template.untranslated("en") == ("2",)
    (tmp_path / "paper.yaml").write_text("title_en: Notes\nlanguage: de\n")
    with pytest.raises(BadInput) as refused:
        read_template(tmp_path)
    assert refused.value.reason == "template_language"
