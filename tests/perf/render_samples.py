"""Page renders of the exports, to look at (not a test): `make samples`.

    .venv/bin/python tests/perf/render_samples.py [--out exports/samples]

Builds the 27-section AI-and-culture template (drafts/ai-and-culture) as a frozen, signed-off
version checked against REC2021 and CONV2005, with a decision on two of each section's expected
items and two comments per section, with numbered paragraphs; exports it as PDF and as DOCX
(opened by LibreOffice, when installed) and writes these page renders (PNG, 60 dpi, pdftoppm):

  pdf-annex-a.png      the first page of Annex A in the PDF
  pdf-annex-b.png      the first page of Annex B in the PDF
  pdf-numbered.png     the first page of numbered paragraphs in the PDF
  docx-toc.png         the table of contents page of the DOCX, as LibreOffice shows it
  docx-annex-a.png     the first page of Annex A in the DOCX, as LibreOffice shows it
  docx-numbered.png    the first page of numbered paragraphs in the DOCX, as LibreOffice shows it
  pdf-cover-fr.png     the cover of the same paper in French (symbol CLT/2027/PP/1)

and prints how many pages each annex takes in each format.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import pdfplumber  # noqa: E402

from app.export import (  # noqa: E402
    ExportOptions,
    ExportSection,
    SignoffRow,
    VersionDocument,
    render,
)
from app.export.annexes import (  # noqa: E402
    AlignmentEntry,
    AnnexFramework,
    AnnexItem,
    CommentEntry,
    alignment_annex,
    comment_annex,
)
from app.export.labels import labels  # noqa: E402
from app.services.templates import read_template  # noqa: E402

FROZEN = datetime(2027, 1, 15, 9, 30, tzinfo=UTC)
STATUSES = ("aligned", "partial", "gap", "conflict", "not_applicable")


def reference_frameworks(language: str) -> list[AnnexFramework]:
    import yaml

    found = []
    for path in sorted((ROOT / "app" / "reference" / "frameworks").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        items = tuple(AnnexItem(i["code"], i[f"title_{language}"]) for i in data["items"])
        found.append(AnnexFramework(data["code"], data[f"title_{language}"], items))
    return found


def template_doc(language: str = "en") -> VersionDocument:
    """The AI-and-culture template as a signed-off version with decisions and comments."""
    template = read_template(ROOT / "drafts" / "ai-and-culture")
    sections, entries, comments = [], [], []
    for index, item in enumerate(template.sections):
        title = item.title_fr if language == "fr" else item.title_en
        opening = template.opening_text(item, language)
        body = opening.text if opening else ""
        sections.append(
            ExportSection(
                number=item.number,
                title=title,
                level=item.number.count(".") + 1,
                body=body,
                revision_sha256=hashlib.sha256(body.encode()).hexdigest(),
                key=item.number,
            )
        )
        for offset, code in enumerate(item.expected_items[:2]):
            entries.append(
                AlignmentEntry(
                    item.number,
                    title,
                    code,
                    STATUSES[(index + offset) % len(STATUSES)],
                    "The section addresses the item through its examples and its proposals "
                    "for Member States.",
                    body.split(".")[0][:80] if offset == 0 and body else None,
                )
            )
        for n in range(2):
            comments.append(
                CommentEntry(
                    number=len(comments) + 1,
                    section_number=item.number,
                    section_title=title,
                    sector=("CLT", "SHS", "LA", "CI")[(index + n) % 4],
                    author=("Amina Diallo", "Jean Dupont", "Li Wei")[(index + n) % 3],
                    created_at=FROZEN,
                    passage=" ".join(body.split()[3:12]),
                    type=("editorial", "substantive", "legal", "alignment")[(index + n) % 4],
                    comment="Please make the example more concrete and name the institution.",
                    proposed_change="name the institution" if n else "",
                    decision=("accepted", "accepted_modified", "rejected", "noted", "")[index % 5],
                    rationale="Agreed with the sector concerned." if index % 5 != 4 else "",
                )
            )
    frameworks = [f for f in reference_frameworks(language) if f.code in template.frameworks]
    annexes = (alignment_annex(frameworks, entries, language), comment_annex(comments, language))
    return VersionDocument(
        paper_title=template.title(language),
        language=language,
        version_label="v1.0",
        version_sha256=hashlib.sha256(b"v1.0").hexdigest(),
        frozen_at=FROZEN,
        signed_off=True,
        signoffs=(
            SignoffRow("Ernesto Ottone", "CLT", "approve", FROZEN, job_title="ADG for Culture"),
            SignoffRow("Gabriela Ramos", "SHS", "no_objection", FROZEN),
        ),
        sections=tuple(sections),
        annexes=annexes,
        authors=("Ernesto Ottone",),
        sector_name="Culture Sector" if language == "en" else "Secteur de la culture",
        document_symbol="CLT/2027/PP/1",
        disclaimer=labels(language)["disclaimer_text"],
        numbered_paragraphs=True,
        acronyms=(
            ("CLT", "Culture Sector" if language == "en" else "Secteur de la culture"),
            ("AI", "artificial intelligence" if language == "en" else "intelligence artificielle"),
            ("IA", "intelligence artificielle"),
            *((f.code, f.title) for f in reference_frameworks(language)),
        ),
    )


def annex_pages(pdf: bytes, markers: list[str]) -> dict[str, list[int]]:
    """The pages (1-based) from each marker's first page to the next marker's (or the end)."""
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        texts = [(page.extract_text() or "").replace("\u202f", " ") for page in document.pages]
    starts = []
    for marker in markers:
        starts.append(next(i for i, text in enumerate(texts) if marker in text and i > 1) + 1)
    ends = [*(s - 1 for s in starts[1:]), len(texts)]
    return {m: list(range(s, e + 1)) for m, s, e in zip(markers, starts, ends, strict=True)}


def first_numbered_page(pdf: bytes) -> int:
    """The first page (1-based) where a line starts with "1." (numbered paragraph 1)."""
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for number, page in enumerate(document.pages, 1):
            lines = (page.extract_text() or "").splitlines()
            if any(line.startswith("1. ") or line.startswith("1.\t") for line in lines):
                return number
    return 1


def page_png(pdf_path: Path, page: int, target: Path) -> None:
    stem = target.with_suffix("")
    pages = ["-f", str(page), "-l", str(page)]
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-singlefile", *pages, str(pdf_path), str(stem)],
        check=True,
    )


def office_pdf(docx: bytes, folder: Path) -> bytes | None:
    """The DOCX as LibreOffice lays it out (None without LibreOffice)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return None
    source = folder / "paper.docx"
    source.write_bytes(docx)
    profile = f"-env:UserInstallation=file://{folder}/profile"
    subprocess.run(
        [
            soffice,
            "--headless",
            profile,
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return (folder / "paper.pdf").read_bytes()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "exports" / "samples")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    markers = ["Annex A: Alignment", "Annex B: Comment"]
    doc = template_doc("en")
    with tempfile.TemporaryDirectory(prefix="plume-samples-") as tmp:
        folder = Path(tmp)
        pdf = render(doc, "pdf", ExportOptions(toc=True))
        (folder / "paper.pdf").write_bytes(pdf)
        pages = annex_pages(pdf, markers)
        page_png(folder / "paper.pdf", pages[markers[0]][0], args.out / "pdf-annex-a.png")
        page_png(folder / "paper.pdf", pages[markers[1]][0], args.out / "pdf-annex-b.png")
        page_png(folder / "paper.pdf", first_numbered_page(pdf), args.out / "pdf-numbered.png")
        for marker, numbers in pages.items():
            print(f"PDF   {marker}: {len(numbers)} pages ({numbers[0]}-{numbers[-1]})")

        office = office_pdf(render(doc, "docx", ExportOptions(toc=True)), folder)
        if office is None:
            print("DOCX  LibreOffice is not installed: no docx-toc.png")
        else:
            (folder / "office.pdf").write_bytes(office)
            office_pages = annex_pages(office, markers)
            for marker, numbers in office_pages.items():
                print(f"DOCX  {marker}: {len(numbers)} pages ({numbers[0]}-{numbers[-1]})")
            first_a = office_pages[markers[0]][0]
            page_png(folder / "office.pdf", first_a, args.out / "docx-annex-a.png")
            with pdfplumber.open(io.BytesIO(office)) as document:
                toc = next(
                    i + 1
                    for i, page in enumerate(document.pages)
                    if (page.extract_text() or "").lstrip().startswith("Contents")
                    or "\nContents" in (page.extract_text() or "")
                )
            page_png(folder / "office.pdf", toc, args.out / "docx-toc.png")
            numbered = first_numbered_page(office)
            page_png(folder / "office.pdf", numbered, args.out / "docx-numbered.png")

        french = render(template_doc("fr"), "pdf")
        (folder / "fr.pdf").write_bytes(french)
        page_png(folder / "fr.pdf", 1, args.out / "pdf-cover-fr.png")
    for name in (
        "pdf-annex-a.png",
        "pdf-annex-b.png",
        "pdf-numbered.png",
        "docx-toc.png",
        "docx-annex-a.png",
        "docx-numbered.png",
        "pdf-cover-fr.png",
    ):
        if (args.out / name).exists():
            print(args.out / name)


if __name__ == "__main__":
    main()
