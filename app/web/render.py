"""Section text as safe HTML: Markdown rendered, sanitised, passages highlighted.

Whatever a section's text holds (script tags, event handlers, `javascript:` links), what
reaches the page is what nh3 lets through: an allow-list of tags and attributes, and
links to http, https and mailto only. The Content-Security-Policy is the second wall.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import resource
import select
import signal
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser

import nh3
from flask import has_request_context, request
from flask_babel import gettext as _
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markupsafe import Markup

from app.text.links import SAFE_SCHEMES

# Nesting (quotes in lists in quotes...) stops at MAX_NESTING levels: deeper text shows as
# plain text, and a text of nested markers costs a bounded time.
MAX_NESTING = 20
_md = MarkdownIt("commonmark", {"html": True, "maxNesting": MAX_NESTING}).enable(
    ["table", "strikethrough"]
)
# A link's text ends within this many characters: a link label is at most 999 characters
# (CommonMark), and without the bound a run of unclosed `[` costs quadratic time.
LINK_REACH = 1000


def _bounded(rule):
    """The link or image rule, trying only where a `]` is within reach."""

    def bounded(state: StateInline, silent: bool) -> bool:
        if state.src.find("]", state.pos, state.pos + LINK_REACH) < 0:
            return False
        return rule(state, silent)

    return bounded


def _bracket_run(state: StateInline, silent: bool) -> bool:
    """A run of `[` that no `]` closes within reach is text, taken in one step."""
    src, pos = state.src, state.pos
    if src[pos] != "[" or (pos and src[pos - 1] == "!"):
        return False
    run_end = pos
    while run_end < state.posMax and src[run_end] == "[":
        run_end += 1
    closing = src.find("]", run_end)
    end = run_end if closing < 0 else min(run_end, closing - LINK_REACH + 1)
    if end <= pos:
        return False
    if not silent:
        state.append_pending(src[pos:end])
    state.pos = end
    return True


for _name in ("link", "image"):
    _rules = _md.inline.ruler.get_all_rules()
    _md.inline.ruler.at(_name, _bounded(_md.inline.ruler.__rules__[_rules.index(_name)].fn))
_md.inline.ruler.before("text", "bracket_run", _bracket_run)

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
URL_SCHEMES = SAFE_SCHEMES  # the one rule for links: app/text/links.py


@dataclass(frozen=True)
class Passage:
    """A comment's passage, `text[start:end]` of the Markdown shown, and its label."""

    comment_id: int
    start: int
    end: int
    label: str
    title: str = ""


class _Tokens(HTMLParser):
    """Splits sanitised HTML into tags (kept verbatim) and text (unescaped)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tokens: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):  # noqa: ARG002 (HTMLParser's signature)
        self.tokens.append(("open:" + tag, self.get_starttag_text()))

    def handle_startendtag(self, tag, attrs):  # noqa: ARG002 (HTMLParser's signature)
        self.tokens.append(("void", self.get_starttag_text()))

    def handle_endtag(self, tag):
        self.tokens.append(("close:" + tag, f"</{tag}>"))

    def handle_data(self, data):
        self.tokens.append(("text", data))


# Unicode's private use area: characters that no one types, used as markers.
_PRIVATE_USE = range(0xE000, 0xF900)
# Elements that hold other elements, not text: a <mark> there would be out of place.
_NO_TEXT = {"ol", "ul", "dl", "table", "thead", "tbody", "tfoot", "tr", "colgroup"}
# Elements whose own text is only the white space between their blocks: none to mark.
_BLOCKS = {"blockquote", "div", "li", "dd", "td", "th"} | _NO_TEXT
_VOID = {"area", "br", "col", "hr", "img", "input", "source", "wbr"}


class _RenderCache:
    """Rendered HTML by the sha256 of the Markdown: a revision is rendered once per process.

    Bounded by the characters it holds (a few long texts or many short ones).
    """

    def __init__(self, max_chars: int = 32 * 1024 * 1024) -> None:
        self._entries: OrderedDict[tuple[str, int], str] = OrderedDict()
        self._chars = 0
        self._max = max_chars
        self._lock = threading.Lock()

    def get(self, key: tuple[str, int]) -> str | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: tuple[str, int], html: str) -> None:
        if len(html) > self._max // 4:
            return
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = html
            self._chars += len(html)
            while self._chars > self._max:
                _key, dropped = self._entries.popitem(last=False)
                self._chars -= len(dropped)


_rendered = _RenderCache()

# A text up to INLINE_CHARS long renders in the request's process (the worst legal Markdown of
# that length takes about a second). A longer one renders in a forked child bounded in time
# (PLUME_PAGE_RENDER_SECONDS, default 3) and in memory (PLUME_RENDER_MEMORY_MB, as exports): a
# text that needs more shows TOO_LONG's notice instead, cached like a rendering, so that a
# pathological text costs at most that time, once per process.
INLINE_CHARS = 20_000
DEFAULT_PAGE_SECONDS = 3.0
DEFAULT_MEMORY_MB = 1500
TOO_LONG = "\x00too-long"  # what _html gives for such a text (no rendering holds a NUL)


def _setting(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


def page_seconds() -> float:
    return _setting("PLUME_PAGE_RENDER_SECONDS", DEFAULT_PAGE_SECONDS)


def _html(text: str, heading_offset: int) -> str:
    key = (hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(), heading_offset)
    html = _rendered.get(key)
    if html is None:
        if len(text) <= INLINE_CHARS or not hasattr(os, "fork"):
            html = _render(text, heading_offset)
        else:
            # A page showing many long texts (a version's every section) spends at most
            # PAGE_BUDGET limits on them: past it, a text not rendered yet shows the notice
            # on this page, uncached, and is rendered by a later visit.
            left = _budget_left()
            if left <= 0:
                return TOO_LONG
            seconds = min(page_seconds(), left)
            started = time.monotonic()
            html = _render_bounded(text, heading_offset, seconds)
            _spend(time.monotonic() - started)
            if html == TOO_LONG and seconds < page_seconds():
                return TOO_LONG  # cut by the page's budget, not by its own limit
        _rendered.put(key, html)
    return html


# How many PLUME_PAGE_RENDER_SECONDS one request may spend on bounded renders (a section
# page: its text, then its text with the passages marked).
PAGE_BUDGET = 2


def _budget_left() -> float:
    if not has_request_context():
        return page_seconds() * PAGE_BUDGET
    return page_seconds() * PAGE_BUDGET - request.environ.get("plume.render_seconds", 0.0)


def _spend(seconds: float) -> None:
    if has_request_context():
        spent = request.environ.get("plume.render_seconds", 0.0)
        request.environ["plume.render_seconds"] = spent + seconds


def _render_bounded(text: str, heading_offset: int, seconds: float) -> str:
    """_render in a forked child, or TOO_LONG when it needs more time or memory than allowed."""
    memory = int(_setting("PLUME_RENDER_MEMORY_MB", DEFAULT_MEMORY_MB))
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: render, write, and leave without running the parent's exit hooks
        status = 1
        try:
            os.close(reading)
            _limit_child(memory, seconds)
            html = _render(text, heading_offset).encode("utf-8", "surrogatepass")
            with os.fdopen(writing, "wb") as out:
                out.write(html)
            status = 0
        finally:
            os._exit(status)
    os.close(writing)
    deadline = time.monotonic() + seconds
    chunks: list[bytes] = []
    finished = False
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([reading], [], [], left)[0]:
                break
            chunk = os.read(reading, 1 << 20)
            if not chunk:
                finished = True
                break
            chunks.append(chunk)
    finally:
        os.close(reading)
        if not finished:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    if not finished or status != 0:
        return TOO_LONG
    return b"".join(chunks).decode("utf-8", "surrogatepass")


def _limit_child(memory_mb: int, seconds: float) -> None:
    """The child's memory: what it shares with the parent plus `memory_mb`; its CPU a backstop."""
    with open("/proc/self/statm") as statm:
        size = int(statm.read().split()[0]) * resource.getpagesize()
    limit = size + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    cpu = int(seconds) + 2
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 2))


def too_long_notice(download_url: str | None = None) -> Markup:
    """What the page shows for a text that could not be rendered within the limits."""
    sentence = _(
        "This text is too long to show here: it needs more than %(seconds)s s to display.",
        seconds=f"{page_seconds():g}",
    )
    if download_url:
        link = Markup('<a href="%s">%s</a>') % (download_url, _("Download it as Markdown"))
        return Markup('<p class="flash flash-info too-long">%s %s.</p>') % (sentence, link)
    return Markup('<p class="flash flash-info too-long">%s</p>') % sentence


def _render(text: str, heading_offset: int) -> str:
    tokens = _md.parse(text or "")
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + heading_offset)}"
    html = _md.renderer.render(tokens, _md.options, {})
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def markdown(
    text: str | None, *, heading_offset: int = 1, download_url: str | None = None
) -> Markup:
    """Markdown to sanitised HTML. Headings move down a level: the page holds the h1.
    A text that cannot be rendered within the limits gives a notice (and `download_url`)."""
    html = _html(text or "", heading_offset)
    if html == TOO_LONG:
        return too_long_notice(download_url)
    return Markup(html)


_Marked = tuple[Passage, str, str]  # a passage and the markers at its start and end


def markdown_with_passages(
    text: str | None,
    passages: list[Passage],
    *,
    heading_offset: int = 1,
    download_url: str | None = None,
) -> tuple[Markup, frozenset[int]]:
    """The text as `markdown()` renders it, each passage in <mark>; returns the HTML and
    the ids of the comments whose passage is highlighted.

    A private-use character is put at each edge of each passage in the Markdown, which is
    rendered and sanitised as usual; the characters are then replaced by the tags. A
    passage whose markers would change the rendering (one that starts at a heading's `#`
    or ends inside a link's address) or land in an attribute is left plain: its comment
    is still listed beside the text. A text longer than INLINE_CHARS is rendered at most
    twice (plain, and with every marker), never once per passage.
    """
    try:
        return _marked(text or "", tuple(passages), heading_offset)
    except _Unfinished as stopped:
        shown = too_long_notice(download_url) if stopped.plain is None else stopped.plain
        return shown, frozenset()


class _Unfinished(Exception):
    """A rendering its limits stopped: not kept among the marked texts, since a later visit,
    with the page's render budget whole again, may finish it."""

    def __init__(self, plain: Markup | None):
        super().__init__()
        self.plain = plain


@functools.lru_cache(maxsize=64)
def _marked(
    text: str, passages: tuple[Passage, ...], heading_offset: int
) -> tuple[Markup, frozenset[int]]:
    """`markdown_with_passages`, kept for the texts and passages read most: a section page
    read again with the same comments shows the same HTML."""
    plain = _html(text, heading_offset)
    if plain == TOO_LONG:
        raise _Unfinished(None)
    used = set(text)
    free = (chr(code) for code in _PRIVATE_USE if chr(code) not in used)
    marked: list[_Marked] = []
    for passage in sorted(passages, key=lambda p: (p.start, -p.end)):
        if not 0 <= passage.start < passage.end <= len(text):
            continue
        opening, closing = next(free, None), next(free, None)
        if opening is None or closing is None:
            break  # thousands of passages: the rest stay plain
        marked.append((passage, opening, closing))
    if not marked:
        return Markup(plain), frozenset()

    html = _html(_with_markers(text, marked), heading_offset)
    if html == TOO_LONG:
        raise _Unfinished(Markup(plain))
    if not _renders_alike(html, plain, marked):
        if len(text) > INLINE_CHARS:
            return Markup(plain), frozenset()
        # Find the passages whose markers change the text, and leave them out.
        marked = [
            entry
            for entry in marked
            if _renders_alike(_html(_with_markers(text, [entry]), heading_offset), plain, [entry])
        ]
        html = _html(_with_markers(text, marked), heading_offset)
        if not marked or not _renders_alike(html, plain, marked):
            return Markup(plain), frozenset()
    html, highlighted = _replace_markers(html, marked)
    return html, frozenset(highlighted)


def _with_markers(text: str, marked: list[_Marked]) -> str:
    inserts = []
    for passage, opening, closing in marked:
        inserts.append((passage.start, 1, opening))
        inserts.append((passage.end, 0, closing))  # at one place, ends come before starts
    inserts.sort(key=lambda insert: (insert[0], insert[1]))
    parts, last = [], 0
    for position, _kind, char in inserts:
        parts += [text[last:position], char]
        last = position
    parts.append(text[last:])
    return "".join(parts)


def _without(html: str, marked: list[_Marked]) -> str:
    return html.translate({ord(char): None for _p, *chars in marked for char in chars})


def _renders_alike(html: str, plain: str, marked: list[_Marked]) -> bool:
    return _without(html, marked) == plain


def _replace_markers(html: str, marked: list[_Marked]) -> tuple[Markup, set[int]]:
    parser = _Tokens()
    parser.feed(html)
    parser.close()
    starts = {opening: passage for passage, opening, _c in marked}
    ends = {closing: passage for passage, _o, closing in marked}

    # A passage is highlighted when both its markers are in the text, in order.
    order: dict[str, int] = {}
    for kind, value in parser.tokens:
        if kind == "text":
            for char in value:
                if char in starts or char in ends:
                    order[char] = len(order)
    good = {
        passage.comment_id
        for passage, opening, closing in marked
        if opening in order and closing in order and order[opening] < order[closing]
    }

    out: list[str] = []
    stack: list[str] = []  # the open elements
    active: list[int] = []  # the comments whose passage the text is in
    links = 0
    waiting: list[str] = []  # links to comments, held until the <a> they fall in closes

    for kind, value in parser.tokens:
        if kind != "text":
            out.append(_without(value, marked))  # a marker in an attribute is dropped
            if kind.startswith("open:"):
                tag = kind[5:]
                if tag not in _VOID:
                    stack.append(tag)
                links += tag == "a"
            elif kind.startswith("close:"):
                tag = kind[6:]
                if tag in stack:
                    while stack.pop() != tag:
                        pass
                if tag == "a":
                    links = max(0, links - 1)
                    if not links:
                        out.extend(waiting)
                        waiting.clear()
            continue
        holds_text = not stack or stack[-1] not in _NO_TEXT
        between_blocks = not stack or stack[-1] in _BLOCKS
        piece: list[str] = []
        for char in value:
            passage = starts.get(char) or ends.get(char)
            if passage is None:
                piece.append(char)
                continue
            if passage.comment_id not in good:
                continue
            _text_out(out, piece, active, holds_text, between_blocks)
            if char in starts:
                active.append(passage.comment_id)
                out.append(f'<span class="quote-start" id="quote-{passage.comment_id}"></span>')
                continue
            active.remove(passage.comment_id)
            # The number shows through CSS (::after), so that it is not part of the text
            # a reader selects and quotes.
            ref = (
                f'<a class="quote-ref" href="#comment-{passage.comment_id}" '
                f'data-label="{escape(passage.label)}" '
                f'aria-label="{escape(passage.title or passage.label)}"></a>'
            )
            (waiting if links else out).append(ref)
        _text_out(out, piece, active, holds_text, between_blocks)
    out.extend(waiting)
    return Markup("".join(out)), good


def _text_out(
    out: list[str], piece: list[str], active: list[int], holds_text: bool, between_blocks: bool
) -> None:
    """Write the text gathered so far, marked if it is in passages (and may be), and empty
    `piece`. The white space between blocks is left unmarked."""
    if not piece:
        return
    escaped = escape("".join(piece), quote=False)
    piece.clear()
    if active and holds_text and not (between_blocks and not escaped.strip()):
        ids = " ".join(map(str, active))
        out.append(f'<mark class="quote" data-comments="{ids}">{escaped}</mark>')
    else:
        out.append(escaped)
