"""Read a returned .docx: its identity, its sections' text, and what the reviewer added.

The body is walked once, in document order, with lxml (never regular expressions over XML).
Each section's text is rebuilt as the export wrote it: text a reviewer deleted with tracking on
is kept (it was there), text they inserted is left out (it was not), so every position is a
position in the text of the version the file came from. Sections start at the `plume-s<id>`
bookmarks the export put there (docx_identity), or, when asked to match by headings, at each
heading paragraph.

Comments come from comments.xml; their threads and done flags from Word's
commentsExtended.xml (`w15:paraId` is a comment's last paragraph, `w15:paraIdParent` its
parent's). Tracked changes (w:ins, w:del, w:moveTo, w:moveFrom) by one author that touch each
other are one change: a deletion followed by an insertion is a replacement. Formatting
changes and paragraph marks carry no text and are ignored.

Nothing here fails on an odd or missing date, author or initials: they are kept as given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lxml import etree

from app.docx_import.safety import (
    Limits,
    Refused,
    check_content_types,
    open_package,
    parse_xml,
    read_part,
)
from app.export import docx, docx_identity

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"

CONTEXT_CHARS = 32
_HEADING_STYLE = re.compile(r"^(?:heading|titre|berschrift)\s*([1-9])$", re.I)


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


@dataclass(frozen=True)
class Identity:
    """What the export wrote into the file (None / "" when the file does not say)."""

    paper_id: int | None
    version_id: int | None
    version_sha256: str
    export_id: str

    @property
    def is_plume(self) -> bool:
        return self.paper_id is not None and self.version_id is not None


@dataclass
class WordSection:
    """A section as the file holds it: `key` from its bookmark (None when found by heading)."""

    key: str | None
    heading: str
    body: str  # the text under the heading, as exported (paragraphs separated by "\n")


@dataclass
class Item:
    """A remark found in the file."""

    kind: str  # "comment" | "reply" | "suggestion"
    word_id: str
    author: str
    initials: str
    date: datetime | None
    date_text: str
    body: str = ""  # what the comment says (a suggestion says nothing)
    section: int | None = None  # index in ReturnedFile.sections
    where: str = "passage"  # passage | section (no range) | heading | across | outside
    exact: str | None = None  # the passage, on the exported text of the section's body
    prefix: str = ""
    suffix: str = ""
    proposed: str | None = None  # a suggestion's replacement text
    parent: str | None = None  # a reply: the word_id of the comment it answers
    resolved: bool = False


@dataclass
class ReturnedFile:
    identity: Identity
    sections: list[WordSection]
    items: list[Item]


def read_docx(data: bytes, *, limits: Limits | None = None, by_headings: bool = False):
    """The file's identity, sections and remarks; `Refused` if it is not a safe .docx."""
    limits = limits or Limits()
    archive = open_package(data, limits)
    with archive:
        types = read_part(archive, "[Content_Types].xml", limits)
        if types is None:
            raise Refused("import_not_docx")
        check_content_types(parse_xml(types, "[Content_Types].xml"))
        document = read_part(archive, "word/document.xml", limits)
        if document is None:
            raise Refused("import_not_docx")
        parts = {"word/document.xml": document}
        for name in ("word/comments.xml", "word/commentsExtended.xml", "docProps/custom.xml"):
            content = read_part(archive, name, limits)
            if content is not None:
                parts[name] = content
    roots = {name: parse_xml(content, name) for name, content in parts.items()}
    identity = _identity(roots.get("docProps/custom.xml"))
    walker = _Walker(by_headings=by_headings or not identity.is_plume)
    body = roots["word/document.xml"].find(_w("body"))
    if body is None:
        raise Refused("import_not_docx")
    walker.visit(body)
    sections = walker.finish()
    items = _comments(
        walker, roots.get("word/comments.xml"), roots.get("word/commentsExtended.xml")
    )
    items += _suggestions(walker)
    return ReturnedFile(identity, sections, items)


# --- identity ------------------------------------------------------------------------------


def _identity(root: etree._Element | None) -> Identity:
    values: dict[str, str] = {}
    if root is not None:
        for prop in root:
            name = prop.get("name")
            if name:
                values[name] = "".join(prop.itertext()).strip()
    return Identity(
        paper_id=_int(values.get(docx_identity.PAPER_ID)),
        version_id=_int(values.get(docx_identity.VERSION_ID)),
        version_sha256=values.get(docx_identity.VERSION_SHA256, ""),
        export_id=values.get(docx_identity.EXPORT_ID, ""),
    )


def _int(value: str | None) -> int | None:
    if value is None or not value.isdigit() or len(value) > 18:
        return None
    return int(value)


# --- the body ------------------------------------------------------------------------------


@dataclass
class _Section:
    key: str | None
    text: list[str] = field(default_factory=list)
    length: int = 0
    heading_end: int | None = None  # where the heading paragraph ends in `text`
    outside: bool = False  # text outside every section (front matter, annexes)
    bookmark: str | None = None  # the id of the bookmark that holds it


@dataclass
class _Change:
    kind: str  # "ins" | "del"
    word_id: str
    author: str
    date_text: str
    section: int
    start: int
    end: int
    inserted: str = ""


Position = tuple[int, int]  # (section index, offset in its text); section -1: front matter


class _Walker:
    """One walk over the body: section texts, comment range ends, tracked changes."""

    def __init__(self, *, by_headings: bool) -> None:
        self.by_headings = by_headings
        self.sections: list[_Section] = [_Section(key=None, outside=True)]  # before any section
        self.range_starts: dict[str, Position] = {}
        self.range_ends: dict[str, Position] = {}
        self.references: dict[str, Position] = {}
        self.changes: list[_Change] = []
        self.heading_paragraph = False
        self.change: _Change | None = None

    # positions are in the current section's text
    @property
    def current(self) -> _Section:
        return self.sections[-1]

    def position(self) -> Position:
        return (len(self.sections) - 1, self.current.length)

    def add(self, text: str) -> None:
        if not text:
            return
        if self.change is not None and self.change.kind == "ins":
            self.change.inserted += text
            return
        self.current.text.append(text)
        self.current.length += len(text)
        if self.change is not None:
            self.change.end = self.current.length

    def start_section(self, key: str | None, bookmark: str | None = None) -> None:
        if key is not None:
            last = next((s for s in reversed(self.sections) if not s.outside), None)
            if last is not None and last.key == key:
                # LibreOffice may save one bookmark as two of the same name (around a
                # footnote, say): the section goes on.
                if self.current is not last:
                    self.sections.append(last)
                last.bookmark = bookmark
                return
        self.sections.append(_Section(key=key, bookmark=bookmark))
        self.heading_paragraph = True

    def index(self, walk_index: int) -> int | None:
        """The index in the sections `finish` answers (None: outside every section)."""
        return self.numbering.get(walk_index)

    def visit(self, element: etree._Element) -> None:
        tag = element.tag
        if not isinstance(tag, str):
            return
        if tag in (_w("pPr"), _w("rPr"), _w("sectPr"), _w("tblPr"), _w("trPr"), _w("tcPr")):
            return  # formatting, and paragraph-mark changes: no text
        if tag == f"{{{MC}}}Fallback":
            return  # the same content as its Choice
        if tag == _w("p"):
            self.paragraph(element)
            return
        if tag == _w("r") and _is_paragraph_number(element):
            return  # a number the export put before a paragraph: not the text
        if tag == _w("t") or tag == _w("delText"):
            self.add(element.text or "")
        elif tag in (_w("tab"), _w("ptab")):
            self.add(" ")
        elif tag in (_w("br"), _w("cr")):
            self.add("\n")
        elif tag == _w("noBreakHyphen"):
            self.add("-")
        elif tag in (_w("ins"), _w("del"), _w("moveTo"), _w("moveFrom")):
            self.tracked(element, "ins" if tag in (_w("ins"), _w("moveTo")) else "del")
            return
        elif tag == _w("commentRangeStart"):
            self.range_starts.setdefault(element.get(_w("id"), ""), self.position())
        elif tag == _w("commentRangeEnd"):
            self.range_ends.setdefault(element.get(_w("id"), ""), self.position())
        elif tag == _w("commentReference"):
            self.references.setdefault(element.get(_w("id"), ""), self.position())
        elif tag == _w("bookmarkStart") and not self.by_headings:
            name = element.get(_w("name")) or ""
            if name.startswith(docx_identity.BOOKMARK_PREFIX):
                key = name[len(docx_identity.BOOKMARK_PREFIX) :]
                self.start_section(key, element.get(_w("id")))
        elif (
            tag == _w("bookmarkEnd")
            and self.current.bookmark is not None
            and element.get(_w("id")) == self.current.bookmark
        ):
            self.sections.append(_Section(key=None, outside=True))
        for child in element:
            self.visit(child)

    def paragraph(self, element: etree._Element) -> None:
        if self.current.length:
            self.add("\n")
        if self.by_headings and _is_heading(element):
            self.start_section(None)
        for child in element:
            self.visit(child)
        if self.heading_paragraph:
            self.current.heading_end = self.current.length
            self.heading_paragraph = False

    def tracked(self, element: etree._Element, kind: str) -> None:
        if self.change is not None:  # nested (a deletion of an insertion): the outer one rules
            for child in element:
                self.visit(child)
            return
        index = len(self.sections) - 1
        at = self.current.length
        self.change = _Change(
            kind=kind,
            word_id=element.get(_w("id"), ""),
            author=element.get(_w("author"), ""),
            date_text=element.get(_w("date"), ""),
            section=index,
            start=at,
            end=at,
        )
        for child in element:
            self.visit(child)
        change, self.change = self.change, None
        if change.section == len(self.sections) - 1 and (change.inserted or change.end > at):
            self.changes.append(change)

    def finish(self) -> list[WordSection]:
        self.texts = ["".join(section.text) for section in self.sections]
        self.numbering: dict[int, int] = {}
        found: list[WordSection] = []
        seen: dict[int, int] = {}  # a section met twice (a split bookmark) is one section
        for index, (section, text) in enumerate(zip(self.sections, self.texts, strict=True)):
            if section.outside:
                continue
            if id(section) in seen:
                self.numbering[index] = seen[id(section)]
                continue
            seen[id(section)] = self.numbering[index] = len(found)
            end = section.heading_end if section.heading_end is not None else 0
            found.append(WordSection(section.key, text[:end].strip(), text[end:].strip("\n")))
        return found

    def body_start(self, index: int) -> int:
        """Where the body begins in section `index`'s text (after the heading's line)."""
        section = self.sections[index]
        end = section.heading_end or 0
        text = self.texts[index]
        while end < len(text) and text[end] == "\n":
            end += 1
        return end


def _is_paragraph_number(run: etree._Element) -> bool:
    """Whether a run is a paragraph's number written by the export (numbered paragraphs)."""
    style = run.find(f"{_w('rPr')}/{_w('rStyle')}")
    return style is not None and style.get(_w("val")) == docx.NUMBER_STYLE


def _is_heading(paragraph: etree._Element) -> bool:
    style = paragraph.find(f"{_w('pPr')}/{_w('pStyle')}")
    if style is not None and _HEADING_STYLE.match((style.get(_w("val")) or "").replace(" ", "")):
        return True
    return paragraph.find(f"{_w('pPr')}/{_w('outlineLvl')}") is not None


# --- comments and replies -----------------------------------------------------------------


def _comments(
    walker: _Walker, comments: etree._Element | None, extended: etree._Element | None
) -> list[Item]:
    if comments is None:
        return []
    threads: dict[str, tuple[str | None, bool]] = {}
    if extended is not None:
        for entry in extended.iter(f"{{{W15}}}commentEx"):
            para = entry.get(f"{{{W15}}}paraId")
            if para:
                threads[para] = (
                    entry.get(f"{{{W15}}}paraIdParent"),
                    _true(entry.get(f"{{{W15}}}done")),
                )
    items: list[Item] = []
    by_para: dict[str, Item] = {}
    parents: dict[str, str] = {}
    for comment in comments.iter(_w("comment")):
        word_id = comment.get(_w("id"), "")
        paragraphs = comment.findall(f".//{_w('p')}")
        body = "\n".join(_paragraph_text(p) for p in paragraphs).strip()
        date_text = comment.get(_w("date"), "")
        item = Item(
            kind="comment",
            word_id=word_id,
            author=(comment.get(_w("author")) or "").strip(),
            initials=(comment.get(_w("initials")) or "").strip(),
            date=parse_date(date_text),
            date_text=date_text,
            body=body,
        )
        last_para = paragraphs[-1].get(f"{{{W14}}}paraId") if paragraphs else None
        if last_para:
            by_para[last_para] = item
            parent_para, done = threads.get(last_para, (None, False))
            item.resolved = done
            if parent_para:
                parents[word_id] = parent_para
        _place(walker, item)
        items.append(item)
    for item in items:
        parent_para = parents.get(item.word_id)
        parent = by_para.get(parent_para) if parent_para else None
        if parent is not None and parent is not item:
            item.kind = "reply"
            item.parent = parent.word_id
    # A thread is resolved when its first comment (or any reply) is marked done.
    roots = {item.word_id: item for item in items if item.kind == "comment"}
    for item in items:
        if item.kind == "reply" and item.resolved and item.parent in roots:
            roots[item.parent].resolved = True
    return items


def _true(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "on")


def _paragraph_text(paragraph: etree._Element) -> str:
    out = []
    for element in paragraph.iter(_w("t"), _w("tab"), _w("br")):
        out.append(element.text or "" if element.tag == _w("t") else " ")
    return "".join(out)


def _place(walker: _Walker, item: Item) -> None:
    """Where the comment's range is: its passage on a section's body, or why it has none."""
    start = walker.range_starts.get(item.word_id)
    end = walker.range_ends.get(item.word_id)
    if start is None or end is None:
        reference = walker.references.get(item.word_id)
        section = walker.index(reference[0]) if reference is not None else None
        item.section = section
        item.where = "outside" if section is None else "section"
        return
    end = _back_into_section(walker, end)
    first, last = walker.index(start[0]), walker.index(end[0])
    if first is None and last is None:
        item.where = "outside"
        return
    if start[0] != end[0]:
        item.section = first if first is not None else last
        item.where = "across"
        item.exact = _quote_across(walker, start, end)
        return
    index = start[0]
    text = walker.texts[index]
    begin, stop = _trim(text, start[1], end[1])
    item.section = first
    body_start = walker.body_start(index)
    if begin >= stop:
        item.where = "section"
        return
    item.exact = text[begin:stop]
    if begin < body_start:
        item.where = "heading"
        return
    item.prefix = text[max(body_start, begin - CONTEXT_CHARS) : begin]
    item.suffix = text[stop : stop + CONTEXT_CHARS]


def _back_into_section(walker: _Walker, position: Position) -> Position:
    """A range that ends just after a section's bookmark ends, ends in that section."""
    index, offset = position
    if (
        offset == 0
        and index > 0
        and walker.index(index) is None
        and walker.index(index - 1) is not None
    ):
        return (index - 1, len(walker.texts[index - 1]))
    return position


def _quote_across(walker: _Walker, start: Position, end: Position) -> str:
    first = walker.texts[start[0]][start[1] :]
    middle = [walker.texts[i] for i in range(start[0] + 1, end[0])]
    last = walker.texts[end[0]][: end[1]]
    return "\n".join(part.strip() for part in [first, *middle, last] if part.strip())


def _trim(text: str, begin: int, stop: int) -> tuple[int, int]:
    """A range without the white space at its ends."""
    stop = max(begin, min(stop, len(text)))
    while begin < stop and text[begin].isspace():
        begin += 1
    while stop > begin and text[stop - 1].isspace():
        stop -= 1
    return begin, stop


# --- tracked changes -----------------------------------------------------------------------


def _suggestions(walker: _Walker) -> list[Item]:
    merged: list[_Change] = []
    for change in walker.changes:
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.section == change.section
            and last.author == change.author
            and last.end == change.start
        ):
            last.end = change.end
            last.inserted += change.inserted
            continue
        merged.append(
            _Change(**{**change.__dict__})  # a copy: merging must not change the walk's record
        )
    items = []
    for change in merged:
        item = Item(
            kind="suggestion",
            word_id=change.word_id,
            author=change.author.strip(),
            initials="",
            date=parse_date(change.date_text),
            date_text=change.date_text,
            section=walker.index(change.section),
        )
        if item.section is None:
            item.where = "outside"
        else:
            _suggest(walker, change, item)
        items.append(item)
    return items


def _suggest(walker: _Walker, change: _Change, item: Item) -> None:
    """The passage a change replaces, and its replacement; an insertion takes a neighbouring
    word as its passage (a suggestion replaces something)."""
    text = walker.texts[change.section]
    body_start = walker.body_start(change.section)
    start, end, inserted = change.start, change.end, change.inserted
    if start < body_start:
        item.where = "heading"
        item.exact = text[start:end] or None
        item.proposed = inserted
        return
    if start == end:  # a pure insertion
        if start > body_start and not text[start - 1].isspace():
            word = start
            while word > body_start and not text[word - 1].isspace():
                word -= 1
            exact_start, exact_end = word, start
            proposed = text[word:start] + inserted
        elif end < len(text) and not text[end].isspace():
            word = end
            while word < len(text) and not text[word].isspace():
                word += 1
            exact_start, exact_end = start, word
            proposed = inserted + text[start:word]
        else:
            stop = start
            while stop > body_start and text[stop - 1].isspace():
                stop -= 1
            word = stop
            while word > body_start and not text[word - 1].isspace():
                word -= 1
            if word == stop:
                item.where = "section"
                item.proposed = inserted
                return
            exact_start, exact_end = word, stop
            proposed = text[word:start] + inserted
        start, end = exact_start, exact_end
    else:
        proposed = inserted
    item.exact = text[start:end]
    item.proposed = proposed
    item.prefix = text[max(body_start, start - CONTEXT_CHARS) : start]
    item.suffix = text[end : end + CONTEXT_CHARS]


# --- dates ---------------------------------------------------------------------------------


def parse_date(value: str | None) -> datetime | None:
    """A Word date, or None when it is missing or odd (LibreOffice writes 0-00-00T00:00:00Z)."""
    value = (value or "").strip()
    if not value:
        return None
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.year < 1900:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
