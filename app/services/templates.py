"""Paper templates: a folder with paper.yaml and one Markdown file per section.

Each section file starts with YAML front matter (number, title_en, title_fr, brief,
brief_fr, reviewers, expected_items) followed by an optional opening text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from app.services.errors import BadInput


@dataclass(frozen=True)
class SectionTemplate:
    number: str
    title_en: str
    title_fr: str
    brief: str
    brief_fr: str
    reviewers: tuple[str, ...]
    expected_items: tuple[str, ...]
    body: str

    @property
    def parent_number(self) -> str | None:
        return self.number.rpartition(".")[0] or None


@dataclass(frozen=True)
class PaperTemplate:
    slug: str
    title_en: str
    title_fr: str
    language: str
    description: str
    frameworks: tuple[str, ...]
    sections: tuple[SectionTemplate, ...]

    def title(self, language: str) -> str:
        return self.title_fr if language == "fr" else self.title_en


def _front_matter(path: Path) -> tuple[dict, str]:
    """Split a section file into its YAML header and its Markdown body."""
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    end = text.find("\n---", 3)
    if not text.startswith("---\n") or end < 0:
        raise BadInput(f"{path}: a section file starts with YAML front matter between --- lines")
    try:
        meta = yaml.safe_load(text[4:end]) or {}
    except yaml.YAMLError as exc:
        raise BadInput(f"{path}: front matter is not valid YAML: {exc}") from exc
    if not isinstance(meta, dict):
        raise BadInput(f"{path}: front matter must be a mapping")
    body = text[end + 4 :].strip("\n")
    return meta, body + "\n" if body.strip() else ""


def number_key(number: str) -> tuple:
    """Sort key for section numbers: "2" < "2.1" < "2.10" < "3" < "A" (annexes last)."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in number.split(".")
    )


def read_template(folder: Path) -> PaperTemplate:
    """Read and check a template folder; nothing is written."""
    folder = Path(folder)
    if not (folder / "paper.yaml").is_file():
        raise BadInput(f"{folder} is not a template: it has no paper.yaml")
    paper = yaml.safe_load((folder / "paper.yaml").read_text(encoding="utf-8")) or {}
    sections = []
    for path in sorted(folder.glob("*.md")):
        meta, body = _front_matter(path)
        missing = [key for key in ("number", "title_en") if not meta.get(key)]
        if missing:
            raise BadInput(f"{path}: missing {', '.join(missing)}")
        sections.append(
            SectionTemplate(
                number=str(meta["number"]),
                title_en=str(meta["title_en"]).strip(),
                title_fr=str(meta.get("title_fr") or "").strip(),
                brief=str(meta.get("brief") or "").strip(),
                brief_fr=str(meta.get("brief_fr") or "").strip(),
                reviewers=tuple(meta.get("reviewers") or ()),
                expected_items=tuple(meta.get("expected_items") or ()),
                body=body,
            )
        )
    # Document order is the numbering (2, 2.1, 2.2, 3...), whatever the file names.
    sections.sort(key=lambda section: number_key(section.number))
    numbers = [section.number for section in sections]
    for section in sections:
        if numbers.count(section.number) > 1:
            raise BadInput(f"{folder}: section number {section.number} appears twice")
        if section.parent_number and section.parent_number not in numbers:
            raise BadInput(f"{folder}: section {section.number} has no parent section")
    if not sections:
        raise BadInput(f"{folder}: the template has no sections")
    return PaperTemplate(
        slug=folder.name,
        title_en=str(paper.get("title_en") or folder.name),
        title_fr=str(paper.get("title_fr") or paper.get("title_en") or folder.name),
        language=str(paper.get("language") or "en"),
        description=str(paper.get("description_en") or ""),
        frameworks=tuple(paper.get("frameworks") or ()),
        sections=tuple(sections),
    )


def template_path(drafts_dir: str | Path, slug: str) -> Path:
    """The folder of a named template under drafts/; refuses names that leave it."""
    root = Path(drafts_dir).resolve()
    folder = (root / slug).resolve()
    if folder.parent != root or not (folder / "paper.yaml").is_file():
        known = sorted(p.name for p in root.iterdir() if (p / "paper.yaml").is_file())
        raise BadInput(f"unknown template {slug!r}", {"templates": known})
    return folder
