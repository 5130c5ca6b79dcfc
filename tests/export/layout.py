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


def column_text(pages: list[dict], header: str, next_header: str) -> str:
    """The words of a table column on every page where its header row is printed, in reading
    order, squeezed: a cell's wrapped lines come out together (a page's text interleaves them)."""
    found = []
    for page in pages:
        words = page["words"]
        heads = [w for w in words if w["text"] == header]
        nexts = [w for w in words if w["text"] == next_header]
        if not heads or not nexts:
            continue
        left, right, top = heads[0]["x0"] - 3, nexts[0]["x0"] - 3, heads[0]["top"]
        mine = [w for w in words if left <= w["x0"] < right and w["top"] >= top - 1]
        found.extend(w["text"] for w in sorted(mine, key=lambda w: (round(w["top"]), w["x0"])))
    return squeeze("".join(found))
