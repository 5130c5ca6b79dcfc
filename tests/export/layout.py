"""What a reader would see wrong on a page, read off a PDF with pdfplumber (any producer)."""

from __future__ import annotations

import io
import re

import pdfplumber

TOLERANCE = 0.5  # points


def outside_page(page) -> list[str]:
    """The characters whose box is not inside the page box."""
    return [
        char["text"]
        for char in page.chars
        if char["x0"] < -TOLERANCE
        or char["top"] < -TOLERANCE
        or char["x1"] > page.width + TOLERANCE
        or char["bottom"] > page.height + TOLERANCE
    ]


def overlapping_lines(page) -> list[tuple[str, str]]:
    """Pairs of text lines whose boxes overlap (upright text only: the DRAFT mark is not)."""
    upright = page.filter(lambda obj: obj.get("object_type") != "char" or _upright(obj))
    lines = [line for line in upright.extract_text_lines(strip=True) if line["text"].strip()]
    found = []
    for index, one in enumerate(lines):
        for other in lines[index + 1 :]:
            tall = min(one["bottom"], other["bottom"]) - max(one["top"], other["top"])
            wide = min(one["x1"], other["x1"]) - max(one["x0"], other["x0"])
            if tall > 1.5 and wide > 1.5:
                found.append((one["text"], other["text"]))
    return found


def _upright(char) -> bool:
    """Drawn without rotation (pdfplumber's own `upright` ignores the graphics state)."""
    matrix = char["matrix"]
    return abs(matrix[1]) < 1e-6 and abs(matrix[2]) < 1e-6


def squeeze(text: str) -> str:
    """Text without whitespace or soft breaks, to find a phrase a table cell wrapped."""
    return re.sub(r"[\s\u200b\u00ad]+", "", text)


def read(data: bytes) -> list[dict]:
    """Per page: its size, its text, and what is wrong with it."""
    pages = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            pages.append(
                {
                    "landscape": page.width > page.height,
                    "text": page.extract_text() or "",
                    "outside": outside_page(page),
                    "overlaps": overlapping_lines(page),
                    "words": page.extract_words() if page.width > page.height else [],
                }
            )
    return pages


def column_text(pages: list[dict], header: str, beside: str | None = None) -> str:
    """The words of the table columns headed `header` on every page, in reading order, squeezed:
    a cell's wrapped lines come out together (a page's text interleaves the cells of a row).
    A column runs from its header down to the next such header, or to the page's end; with
    `beside`, a header is a word `header` with a word `beside` on its line (cells may hold
    the header's word too)."""
    found = []
    for page in pages:
        words = page["words"]
        heads = sorted(
            (
                w
                for w in words
                if w["text"] == header
                and (
                    beside is None
                    or any(o["text"] == beside and abs(o["top"] - w["top"]) < 2 for o in words)
                )
            ),
            key=lambda w: w["top"],
        )
        for index, head in enumerate(heads):
            line = [w for w in words if abs(w["top"] - head["top"]) < 2 and w["x0"] > head["x1"]]
            right = min((w["x0"] for w in line), default=float("inf")) - 3
            stop = heads[index + 1]["top"] if index + 1 < len(heads) else float("inf")
            mine = [
                w
                for w in words
                if head["x0"] - 3 <= w["x0"] < right and head["bottom"] < w["top"] < stop - 1
            ]
            found.extend(w["text"] for w in sorted(mine, key=lambda w: (round(w["top"]), w["x0"])))
    return squeeze("".join(found))
