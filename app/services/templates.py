"""Paper templates: a folder with paper.yaml and one Markdown file per section, in two languages.

    drafts/ai-and-culture/
      paper.yaml              title_en, title_fr, description_en, description_fr, frameworks, and
                              `language`: the language of the section files' opening texts
      03-1-heritage.md        YAML front matter (number, title_en, title_fr, brief, brief_fr,
                              reviewers, expected_items), then the opening text in `language`
      fr/03-1-heritage.md     the same section's opening text in French: Markdown only, no
                              front matter

A paper starts with each section's opening text in the paper's language: an English paper
gets the section files' texts, a French one the texts under fr/ (and a template written in
French would hold its English texts under en/).

Why a folder per language rather than a second body in each section file: every text file
stays one plain Markdown text in one language, which a translator opens, previews, spell-checks
and diffs on its own, in any editor, without a separator to keep intact; the file name pairs
the two texts, so `git log fr/03-1-heritage.md` is the French text's history and a missing
translation is a missing file that `ls` shows; and what does not depend on the language
(number, reviewers, expected items) stays in one place, the section file's front matter, where
the two titles and the two briefs already sit side by side. A file under fr/ whose name matches
no section file, or that carries front matter, is refused: it would otherwise be silently unused.

A section with no text in the paper's language starts with the template's own text instead,
and never silently: `PaperTemplate.untranslated(language)` lists such sections, and creating a
paper records them in its activity entry, writes it in the summary of each such opening
revision, logs a warning, and the command line prints them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from app.models import Language
from app.services.errors import BadInput

# libyaml's safe loader (PyYAML's wheels ship it) reads a section's header ten times faster.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

LANGUAGES = tuple(language.value for language in Language)

# The summary of a section's first revision, in the paper's language: like the template's own
# texts it becomes part of the paper's record, stored and shown as written.
_OPENING_SUMMARY = {
    "en": "Opening text from the template",
    "fr": "Texte initial du modèle",
}
_FALLBACK_SUMMARY = {
    ("en", "fr"): "Opening text from the template, in French: the template has no English "
    "text for this section",
    ("fr", "en"): "Texte initial du modèle, en anglais\u00a0: le modèle n’a pas de texte "
    "français pour cette section",
}


def opening_summary(paper_language: str, text_language: str) -> str:
    """What the first revision of a section says of its text, in the paper's language."""
    if text_language == paper_language:
        return _OPENING_SUMMARY[paper_language]
    return _FALLBACK_SUMMARY[(paper_language, text_language)]


@dataclass(frozen=True)
class OpeningText:
    """A section's opening text, and the language it is written in."""

    text: str
    language: str


@dataclass(frozen=True)
class SectionTemplate:
    number: str
    title_en: str
    title_fr: str
    brief: str
    brief_fr: str
    reviewers: tuple[str, ...]
    expected_items: tuple[str, ...]
    # Opening text by language; a language without text is absent.
    bodies: Mapping[str, str] = field(default_factory=dict)

    @property
    def parent_number(self) -> str | None:
        return self.number.rpartition(".")[0] or None


@dataclass(frozen=True)
class PaperTemplate:
    slug: str
    title_en: str
    title_fr: str
    language: str
    description_en: str
    description_fr: str
    frameworks: tuple[str, ...]
    sections: tuple[SectionTemplate, ...]

    def title(self, language: str) -> str:
        return self.title_fr if language == "fr" else self.title_en

    def description(self, language: str) -> str:
        return (self.description_fr if language == "fr" else "") or self.description_en

    def opening_text(self, section: SectionTemplate, language: str) -> OpeningText | None:
        """The section's text in `language`, else in the template's own language; None if
        the section has no opening text at all."""
        for candidate in (language, self.language, *LANGUAGES):
            if section.bodies.get(candidate):
                return OpeningText(section.bodies[candidate], candidate)
        return None

    def untranslated(self, language: str) -> tuple[str, ...]:
        """The numbers of the sections whose opening text a `language` paper gets in another
        language, because the template has none in its own."""
        return tuple(
            section.number
            for section in self.sections
            if (text := self.opening_text(section, language)) and text.language != language
        )


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8").replace("\r\n", "\n")


def _front_matter(path: Path) -> tuple[dict, str]:
    """Split a section file into its YAML header and its Markdown body."""
    text = _read(path)
    end = text.find("\n---", 3)
    if not text.startswith("---\n") or end < 0:
        raise BadInput("template_no_front_matter", path=str(path))
    try:
        meta = yaml.load(text[4:end], Loader=_YAML_LOADER) or {}
    except yaml.YAMLError as exc:
        raise BadInput("template_front_matter_yaml", path=str(path), detail=str(exc)) from exc
    if not isinstance(meta, dict):
        raise BadInput("template_front_matter_mapping", path=str(path))
    return meta, _body(text[end + 4 :])


def _body(text: str) -> str:
    body = text.strip("\n")
    return body + "\n" if body.strip() else ""


def _translations(folder: Path, language: str, section_files: set[str]) -> dict[str, str]:
    """The opening texts under `folder/<language>/`, by section file name."""
    texts = {}
    subfolder = folder / language
    if not subfolder.is_dir():
        return texts
    for path in sorted(subfolder.glob("*.md")):
        where = f"{language}/{path.name}"
        if path.name not in section_files:
            raise BadInput("template_translation_unmatched", path=where, language=language)
        text = _read(path)
        if text.startswith("---\n"):
            raise BadInput("template_translation_front_matter", path=where)
        texts[path.name] = _body(text)
    return texts


def number_key(number: str) -> tuple:
    """Sort key for section numbers: "2" < "2.1" < "2.10" < "3" < "A" (annexes last)."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in number.split(".")
    )


def read_template(folder: Path) -> PaperTemplate:
    """Read and check a template folder; nothing is written."""
    folder = Path(folder)
    if not (folder / "paper.yaml").is_file():
        raise BadInput("template_no_paper_yaml", folder=str(folder))
    paper = yaml.safe_load((folder / "paper.yaml").read_text(encoding="utf-8")) or {}
    language = str(paper.get("language") or "en")
    if language not in LANGUAGES:
        raise BadInput("template_language", language=language, languages=LANGUAGES)
    paths = sorted(folder.glob("*.md"))
    translations = {
        other: _translations(folder, other, {path.name for path in paths})
        for other in LANGUAGES
        if other != language
    }
    sections = []
    for path in paths:
        meta, body = _front_matter(path)
        bodies = {language: body} | {
            other: texts.get(path.name, "") for other, texts in translations.items()
        }
        missing = [key for key in ("number", "title_en") if not meta.get(key)]
        if missing:
            raise BadInput("template_section_missing", path=str(path), missing=missing)
        sections.append(
            SectionTemplate(
                number=str(meta["number"]),
                title_en=str(meta["title_en"]).strip(),
                title_fr=str(meta.get("title_fr") or "").strip(),
                brief=str(meta.get("brief") or "").strip(),
                brief_fr=str(meta.get("brief_fr") or "").strip(),
                reviewers=tuple(meta.get("reviewers") or ()),
                expected_items=tuple(meta.get("expected_items") or ()),
                bodies={lang: text for lang, text in bodies.items() if text},
            )
        )
    # Document order is the numbering (2, 2.1, 2.2, 3...), whatever the file names.
    sections.sort(key=lambda section: number_key(section.number))
    numbers = [section.number for section in sections]
    for section in sections:
        if numbers.count(section.number) > 1:
            raise BadInput("template_number_twice", folder=str(folder), number=section.number)
        if section.parent_number and section.parent_number not in numbers:
            raise BadInput("template_no_parent", folder=str(folder), number=section.number)
    if not sections:
        raise BadInput("template_no_sections", folder=str(folder))
    return PaperTemplate(
        slug=folder.name,
        title_en=str(paper.get("title_en") or folder.name),
        title_fr=str(paper.get("title_fr") or paper.get("title_en") or folder.name),
        language=language,
        description_en=str(paper.get("description_en") or "").strip(),
        description_fr=str(paper.get("description_fr") or "").strip(),
        frameworks=tuple(paper.get("frameworks") or ()),
        sections=tuple(sections),
    )


def template_path(drafts_dir: str | Path, slug: str) -> Path:
    """The folder of a named template under drafts/; refuses names that leave it."""
    root = Path(drafts_dir).resolve()
    folder = (root / slug).resolve()
    if folder.parent != root or not (folder / "paper.yaml").is_file():
        known = sorted(p.name for p in root.iterdir() if (p / "paper.yaml").is_file())
        raise BadInput("unknown_template", {"templates": known}, template=slug)
    return folder
