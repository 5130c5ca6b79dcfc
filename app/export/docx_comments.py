"""Word comments made in Python on a section's converted piece (no pandoc filter, no AST walk).

A commented section reaches pandoc as its own Markdown with a plain marker at each end of each
quoted passage (comments.mark_passages: a private-use character around the comment's id, which
user text cannot hold). Pandoc's docx writer leaves the markers in the text of their runs;
`annotate` then turns the piece's markers into w:commentRangeStart / w:commentRangeEnd and a
reference run, and writes each comment's entry for comments.xml, the comment's text escaped and
never parsed: a comment is text, whatever it says.

A comment is placed when its first start and first end marker both landed in the section's
text, the start first. A marker in code (a code span or block: a run in the VerbatimChar style),
in a footnote or in a link target leaves no trace, and a comment not placed (a comment on the
whole section, a passage gone, a marker in one of those places) goes on the section heading:
a comment is never lost.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from xml.sax.saxutils import escape

from app.export import ast
from app.export.comments import END, START, strip_markers
from app.export.document import OpenComment
from app.export.docx_package import Piece
from app.export.labels import iso, labels
from app.export.markdown import normalize_body, normalize_line

_MARKER = re.compile(f"([{START}{END}])([0-9]+)\\1")
_ANY = re.compile(f"[{START}{END}]")
# A run as pandoc writes one around text: its properties, then one w:t.
_TEXT_RUN = re.compile(
    r'<w:r>((?:<w:rPr>(?:(?!</w:rPr>).)*</w:rPr>)?)<w:t xml:space="preserve">([^<]*)</w:t></w:r>',
    re.S,
)
_CODE = 'w:val="VerbatimChar"'
_QUOTES = {'"': "&quot;"}
_REFERENCE_RUN = (
    '<w:r><w:rPr><w:rStyle w:val="CommentReference" /></w:rPr>'
    '<w:commentReference w:id="{id}" /></w:r>'
)


def annotate(piece: Piece, notes: Sequence[OpenComment], language: str) -> None:
    """Turn the comment markers of a section's piece into Word comments (in place).

    `notes` are the section's open comments in the order the heading lists them."""
    xml = piece.xml
    heading_end = xml.find("</w:p>")
    head, body = (xml[:heading_end], xml[heading_end:]) if heading_end >= 0 else ("", xml)
    chunks = _cut(body)
    # A marker is a (kind, comment id) tuple among the chunks of XML text.
    order = [chunk for chunk in chunks if isinstance(chunk, tuple)]
    ids = {note.id for note in notes}
    first_start: dict[int, int] = {}
    first_end: dict[int, int] = {}
    for position, (kind, comment_id) in enumerate(order):
        (first_start if kind == START else first_end).setdefault(comment_id, position)
    placed = {
        comment_id
        for comment_id, start in first_start.items()
        if comment_id in ids and start < first_end.get(comment_id, -1)
    }

    base = len(piece.comments)
    local: dict[int, int] = {}
    unplaced = [note for note in notes if note.id not in placed]
    for note in unplaced:
        local[note.id] = base + len(local)
    for kind, comment_id in order:
        if kind == START and comment_id in placed and comment_id not in local:
            local[comment_id] = base + len(local)

    out: list[str] = []
    done: set[tuple[str, int]] = set()
    for chunk in chunks:
        if not isinstance(chunk, tuple):
            out.append(chunk)
        elif chunk[1] in placed and chunk not in done:
            done.add(chunk)
            out.append(_start(local[chunk[1]]) if chunk[0] == START else _end(local[chunk[1]]))
    if unplaced and head:
        head = _wrap_heading(head, [local[note.id] for note in unplaced])
    piece.xml = head + "".join(out)
    by_id = {note.id: note for note in notes}
    for comment_id in sorted(local, key=local.__getitem__):
        piece.comments.append(_comment(local[comment_id], by_id[comment_id], language))
    # Markers in footnotes and link targets: dropped (their comments are on the heading).
    piece.footnotes = [strip_markers(note) for note in piece.footnotes]
    for link in (*piece.links, *piece.note_links):
        link[0] = strip_markers(link[0])


Chunk = str | tuple[str, int]  # XML, or a marker: (START or END, comment id)


def _cut(body: str) -> list[Chunk]:
    """`body` as XML chunks and markers: each run that holds a marker cut in two there (each
    part with the run's properties); markers in code, or anywhere else, dropped. Only the runs
    that hold a marker are looked at."""
    out: list[Chunk] = []
    position = 0
    while (found := _ANY.search(body, position)) is not None:
        start = body.rfind("<w:r>", position, found.start())
        end = body.find("</w:r>", found.start())
        if start < 0 or end < 0:  # not in a run's text: dropped
            whole = _MARKER.match(body, found.start())
            out.append(body[position : found.start()])
            position = whole.end() if whole else found.end()
            continue
        end += len("</w:r>")
        out.append(body[position:start])
        run = _TEXT_RUN.fullmatch(body, start, end)
        if run is None:
            out.append(strip_markers(body[start:end]))
        else:
            _split(run.group(1), run.group(2), out)
        position = end
    out.append(body[position:])
    return out


def _split(properties: str, text: str, out: list[Chunk]) -> None:
    """A run's text cut at its markers (none kept in code)."""
    if _CODE in properties:
        out.append(_run(properties, strip_markers(text)))
        return
    position = 0
    for marker in _MARKER.finditer(text):
        out.append(_run(properties, text[position : marker.start()]))
        out.append((marker.group(1), int(marker.group(2))))
        position = marker.end()
    out.append(_run(properties, strip_markers(text[position:])))


def _run(properties: str, text: str) -> str:
    return f'<w:r>{properties}<w:t xml:space="preserve">{text}</w:t></w:r>' if text else ""


def _placeholder(index: int) -> str:
    return f"\x01c{index}\x01"


def _start(index: int) -> str:
    return f'<w:commentRangeStart w:id="{_placeholder(index)}" />'


def _end(index: int) -> str:
    placeholder = _placeholder(index)
    return f'<w:commentRangeEnd w:id="{placeholder}" />' + _REFERENCE_RUN.format(id=placeholder)


def _wrap_heading(head: str, indexes: list[int]) -> str:
    """The heading paragraph (without its </w:p>) inside the ranges of `indexes`, the first
    outermost."""
    properties_end = head.find("</w:pPr>")
    if properties_end >= 0:
        at = properties_end + len("</w:pPr>")
    else:
        at = head.index(">", head.index("<w:p")) + 1
    starts = "".join(_start(index) for index in indexes)
    ends = "".join(_end(index) for index in reversed(indexes))
    return head[:at] + starts + head[at:] + ends


def _text(value: str) -> str:
    return escape(value, _QUOTES)


def _lines(value: str, out: list[str]) -> None:
    """Multi-line plain text as runs: words joined by one space, a break between lines."""
    for number, line in enumerate(value.strip().splitlines()):
        if number:
            out.append("<w:r><w:br /></w:r>")
        words = _words(normalize_body(line))
        if words:
            out.append(f'<w:r><w:t xml:space="preserve">{_text(words)}</w:t></w:r>')


def _words(value: str) -> str:
    """Words as pandoc writes the Str and Space elements of `ast.text`: one space between."""
    words = ast.SPACES.sub(" ", value)
    return words[words.startswith(" ") : len(words) - words.endswith(" ")]


def _comment(index: int, comment: OpenComment, language: str) -> str:
    """A comment's entry in comments.xml: who, when, and what it says (then the proposed text)."""
    author = f"{normalize_line(comment.author)} ({normalize_line(comment.sector)})"
    out = [
        f'<w:comment w:id="{_placeholder(index)}" w:author="{_text(author)}" '
        f'w:date="{iso(comment.created_at)}"><w:p><w:pPr><w:pStyle w:val="CommentText" />'
        '</w:pPr><w:r><w:rPr><w:rStyle w:val="CommentReference" /></w:rPr><w:annotationRef />'
        "</w:r>"
    ]
    _lines(comment.body, out)
    if comment.proposed_text:
        label = _text(_words(labels(language)["proposed"]))
        out.append(
            '<w:r><w:br /></w:r><w:r><w:rPr><w:b /><w:bCs /></w:rPr><w:t xml:space="preserve">'
            f'{label}</w:t></w:r><w:r><w:t xml:space="preserve"> </w:t></w:r>'
        )
        _lines(comment.proposed_text, out)
    out.append("</w:p></w:comment>")
    return "".join(out)
