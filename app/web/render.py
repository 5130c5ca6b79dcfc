"""Section text as safe HTML: Markdown rendered, sanitised, passages highlighted; diffs.

Whatever a section's text holds (script tags, event handlers, `javascript:` links), what
reaches the page is what nh3 lets through: an allow-list of tags and attributes, and
links to http, https and mailto only. The Content-Security-Policy is the second wall.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])

ALLOWED_TAGS = {
    *("a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "dfn"),
    *("div", "dl", "dt", "em", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins"),
    *("kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub"),
    *("sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul"),
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def markdown(text: str | None, *, heading_offset: int = 1) -> Markup:
    """Markdown to sanitised HTML. Headings move down a level: the page holds the h1."""
    tokens = _md.parse(text or "")
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + heading_offset)}"
    html = _md.renderer.render(tokens, _md.options, {})
    return Markup(
        nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes=URL_SCHEMES,
            link_rel="noopener noreferrer nofollow",
        )
    )


@dataclass(frozen=True)
class Anchor:
    """A passage to highlight: the comment's id, its label beside the text, its quote."""

    comment_id: int
    label: str
    exact: str
    prefix: str = ""
    suffix: str = ""
    title: str = ""


class _Tokens(HTMLParser):
    """Splits sanitised HTML into tags (kept verbatim) and text (unescaped)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tokens: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.tokens.append(("open:" + tag, self.get_starttag_text()))

    def handle_startendtag(self, tag, attrs):
        self.tokens.append(("void", self.get_starttag_text()))

    def handle_endtag(self, tag):
        self.tokens.append(("close:" + tag, f"</{tag}>"))

    def handle_data(self, data):
        self.tokens.append(("text", data))


_SPACE = re.compile(r"\s+")
_MARKUP_CHARS = re.compile(r"[*_`]")


def _collapsed(text: str) -> tuple[str, list[int]]:
    """`text` with each run of white space as one space, and where each character came from."""
    chars, origin = [], []
    for match in re.finditer(r"\s+|\S", text):
        chars.append(" " if match.group().isspace() else match.group())
        origin.append(match.start())
    return "".join(chars), origin


def _locate(flat: str, anchor: Anchor) -> tuple[int, int] | None:
    """Where the quote is in the rendered text, using prefix and suffix to choose."""
    prefix = _SPACE.sub(" ", anchor.prefix)
    suffix = _SPACE.sub(" ", anchor.suffix)
    # The quote was taken from the Markdown, or from the rendered page: try both forms.
    for exact in (_SPACE.sub(" ", anchor.exact.strip()), _MARKUP_CHARS.sub("", anchor.exact)):
        exact = _SPACE.sub(" ", exact.strip())
        if not exact:
            continue
        best, best_score, start = None, -1, flat.find(exact)
        while start >= 0:
            end = start + len(exact)
            score = _common_suffix(flat[:start], prefix) + _common_prefix(flat[end:], suffix)
            if score > best_score:
                best, best_score = (start, end), score
            start = flat.find(exact, start + 1)
        if best:
            return best
    return None


def _common_suffix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def highlight(html: str, anchors: list[Anchor]) -> tuple[Markup, set[int]]:
    """Wrap each anchor's passage in <mark>; returns the HTML and the comment ids found."""
    parser = _Tokens()
    parser.feed(str(html))
    parser.close()
    tokens = parser.tokens
    text = "".join(value for kind, value in tokens if kind == "text")
    flat, origin = _collapsed(text)

    covering: list[list[int]] = [[] for _ in text]
    starts: dict[int, list[Anchor]] = {}
    ends: dict[int, list[Anchor]] = {}
    found: set[int] = set()
    for anchor in anchors:
        span = _locate(flat, anchor)
        if span is None:
            continue
        first, last = origin[span[0]], origin[span[1] - 1] + 1
        for i in range(first, last):
            covering[i].append(anchor.comment_id)
        starts.setdefault(first, []).append(anchor)
        ends.setdefault(last, []).append(anchor)
        found.add(anchor.comment_id)

    out: list[str] = []
    offset, in_link = 0, 0

    def boundary(position: int) -> None:
        for anchor in ends.get(position, []):
            if not in_link:
                # The number shows through CSS (::after), so that it is not part of the
                # text a reader selects and quotes.
                out.append(
                    f'<a class="quote-ref" href="#comment-{anchor.comment_id}" '
                    f'data-label="{escape(anchor.label)}" '
                    f'aria-label="{escape(anchor.title or anchor.label)}"></a>'
                )
        for anchor in starts.get(position, []):
            out.append(f'<span class="quote-start" id="quote-{anchor.comment_id}"></span>')

    for kind, value in tokens:
        if kind != "text":
            if kind == "open:a":
                in_link += 1
            elif kind == "close:a":
                in_link = max(0, in_link - 1)
            out.append(value)
            continue
        i = 0
        while i < len(value):
            boundary(offset + i)
            ids = covering[offset + i]
            j = i + 1
            while j < len(value) and covering[offset + j] == ids and offset + j not in starts:
                if offset + j in ends:
                    break
                j += 1
            piece = escape(value[i:j], quote=False)
            if ids:
                out.append(f'<mark class="quote" data-comments="{" ".join(map(str, ids))}">')
                out.append(piece + "</mark>")
            else:
                out.append(piece)
            i = j
        offset += len(value)
    boundary(offset)
    return Markup("".join(out)), found


def diff_html(ops) -> Markup:
    """A word-level diff (revisions.DiffOp list) as <ins> and <del> in running text."""
    parts = []
    for op in ops:
        text = escape(op.text, quote=False)
        if op.op == "insert":
            parts.append(f"<ins>{text}</ins>")
        elif op.op == "delete":
            parts.append(f"<del>{text}</del>")
        else:
            parts.append(text)
    return Markup("".join(parts))


def diff_counts(ops) -> tuple[int, int]:
    """(words inserted, words deleted)."""
    inserted = sum(len(op.text.split()) for op in ops if op.op == "insert")
    deleted = sum(len(op.text.split()) for op in ops if op.op == "delete")
    return inserted, deleted
