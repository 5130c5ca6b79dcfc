"""A version cut into parts (sections, annexes), each with the cache key of its converted form.

A part is converted in one of two ways:
- from Markdown (its heading written by Plume, its body as the user wrote it), inside the one
  pandoc run that writes the export: the usual case, and the fast one;
  Word comments ride along as plain markers in the body, which docx_comments turns into Word
  comments on the converted piece;
- from AST blocks built in Python, when the export shows tracked changes (and the comments
  of those sections). Those start from the parsed, sanitised AST of the part's Markdown, which
  `AstStore` gets from pandoc (one run for all the texts that need it) and caches by content.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import cached_property

from app.export import ast, cache, comments, pandoc
from app.export.document import ExportOptions, ExportSection, OpenComment, VersionDocument
from app.export.labels import iso, labels
from app.export.markdown import annex_heading, heading_text, normalize_body, normalize_line
from app.export.redline import Redliner


@dataclass(frozen=True)
class Text:
    """What pandoc parses for a part: a heading Plume writes, and the user's Markdown body."""

    level: int
    heading: str
    body: str

    def chunks(self) -> list[pandoc.Chunk]:
        plan = pandoc.Plan()
        plan.heading(self.level, self.heading)
        plan.source(self.body)
        return plan.chunks

    def key(self) -> str:
        """Its cache key (the package's own code is in every key: see cache.py)."""
        return cache.key("text", pandoc.pandoc_version(), self.level, self.heading, self.body)


Built = tuple[list[ast.Node], list[ast.Node]]  # (heading inlines, body blocks)


@dataclass
class Part:
    """One section or annex: its text, the key of its converted form, and how to build it."""

    name: str
    key: str
    # The text, or what makes it when it is needed (a cached part's never is).
    source: Text | Callable[[], Text]
    build: Callable[[AstStore], Built] | None = None  # set when Python must build the blocks
    needs: tuple[Text, ...] = ()  # the texts `build` reads
    plain: Text | None = None  # with a `source` that makes the text: the text it starts from
    # Word comments whose markers the converted piece holds (docx_comments.annotate).
    comments: tuple[OpenComment, ...] = ()

    @cached_property
    def text(self) -> Text:
        return self.source() if callable(self.source) else self.source

    @property
    def level(self) -> int:
        return self.text.level

    @property
    def size(self) -> int:
        """About how much Markdown the part is (without making a text not made yet)."""
        base = self.source if isinstance(self.source, Text) else self.plain
        return len(base.heading) + len(base.body) if base else 0


class AstStore:
    """Parsed, sanitised ASTs of texts (heading block first), from one pandoc run, cached."""

    def __init__(self, pieces: cache.PieceCache) -> None:
        self.pieces = pieces
        self.parsed: dict[str, str] = {}

    def load(self, texts: Iterable[Text]) -> None:
        """Make sure every text is parsed: those not cached, in one pandoc run."""
        missing: dict[str, Text] = {}
        for text in texts:
            name = text.key()
            if name in self.parsed or name in missing:
                continue
            data = self.pieces.get("ast", name)
            if data is not None:
                self.parsed[name] = data.decode("utf-8")
            else:
                missing[name] = text
        if not missing:
            return
        plan = pandoc.Plan()
        for name, text in missing.items():
            plan.mark(name)
            plan.extend(text.chunks())
        plan.mark("end")
        pieces = split_blocks(json.loads(pandoc.convert(plan, "json"))["blocks"])
        for name in missing:
            data = json.dumps(pieces.get(name, []), ensure_ascii=False)
            self.parsed[name] = data
            self.pieces.put("ast", name, data.encode("utf-8"))

    def blocks(self, text: Text) -> list[ast.Node]:
        """A fresh copy of the parsed blocks, heading first (callers may change them)."""
        self.load([text])
        return json.loads(self.parsed[text.key()])

    def body(self, text: Text) -> list[ast.Node]:
        """The parsed blocks without the heading."""
        return self.blocks(text)[1:]


def marker_name(block: ast.Node) -> str | None:
    """The name in a marker paragraph (see pandoc.Plan.mark), or None."""
    if block.get("t") != "Para" or len(block["c"]) != 1 or block["c"][0].get("t") != "Str":
        return None
    value = block["c"][0]["c"]
    if len(value) > 2 and value[0] == pandoc.MARK and value[-1] == pandoc.MARK:
        return value[1:-1]
    return None


def split_blocks(blocks: list[ast.Node]) -> dict[str, list[ast.Node]]:
    """Blocks cut at the marker paragraphs: {marker name: the blocks after it}."""
    pieces: dict[str, list[ast.Node]] = {"front": []}
    current = "front"
    for block in blocks:
        name = marker_name(block)
        if name is not None:
            current = name
            pieces[current] = []
        else:
            pieces[current].append(block)
    return pieces


def section_text(section: ExportSection) -> Text:
    return Text(
        section.level, heading_text(section.number, section.title), normalize_body(section.body)
    )


def plan_parts(
    doc: VersionDocument, options: ExportOptions, writer_key: tuple[object, ...]
) -> list[Part]:
    """The parts of `doc` in order. `writer_key` names the writer and what its output depends on.

    Comments and the redline apply only when `writer_key` is for Word (`docx`).
    """
    word = writer_key[0] == "docx"
    by_section: dict[str, list[OpenComment]] = {}
    if word and options.comments:
        for comment in sorted(doc.open_comments, key=lambda c: (c.created_at, c.id)):
            by_section.setdefault(comment.section_number, []).append(comment)
    redline = Redline(doc, options.redline_against) if word and options.redline_against else None

    parts: list[Part] = []
    for index, section in enumerate(doc.sections):
        if redline is not None:
            parts.extend(redline.deleted_before(section, writer_key))
        notes = by_section.get(section.number, [])
        parts.append(_section_part(f"s{index}", section, notes, redline, doc.language, writer_key))
    if redline is not None:
        parts.extend(redline.deleted_before(None, writer_key))
    for index, annex in enumerate(doc.annexes):
        text = Text(
            1, annex_heading(index, annex.title, doc.language), normalize_body(annex.markdown)
        )
        parts.append(Part(f"a{index}", cache.key(*writer_key, text.key()), text))
    return parts


def _section_part(
    name: str,
    section: ExportSection,
    notes: list[OpenComment],
    redline: Redline | None,
    language: str,
    writer_key: tuple[object, ...],
) -> Part:
    text = section_text(section)
    old = redline.old_for(section) if redline is not None else None
    old_text = section_text(old) if old is not None else None
    changed = redline is not None and (
        old_text is None or (old_text.heading, old_text.body) != (text.heading, text.body)
    )
    if not notes and not changed:
        return Part(name, cache.key(*writer_key, text.key()), text)

    if not changed:
        # Comments only: the section's own Markdown with a plain marker at each end of each
        # passage, which docx_comments turns into Word comments once pandoc has written the
        # piece (no filter, no AST round trip). Made only if the part is not cached: its key
        # says all it depends on.
        def commented() -> Text:
            spots = {c.id: spot for c in notes if (spot := comments.locate(text.body, c))}
            return replace(text, body=comments.mark_passages(text.body, spots))

        key = cache.key(
            *writer_key, "commented", text.key(), language, [_comment_key(c) for c in notes]
        )
        return Part(name, key, commented, plain=text, comments=tuple(notes))
    # Tracked changes (and comments): built from the parsed AST.
    anchors = {
        i: spot
        for i, c in enumerate(notes)
        if (spot := comments.locate(text.body, c, whole_words=changed))
    }
    marked = Text(text.level, text.heading, comments.mark(text.body, anchors)) if anchors else text
    key = cache.key(
        *writer_key,
        "annotated",
        marked.key(),
        [_comment_key(c) for c in notes],
        [old_text.key() if old_text else None, redline.signature] if changed else None,
    )
    heading = ast.text(text.heading)

    def build(store: AstStore) -> Built:
        blocks = store.body(marked)
        unplaced: list[int] = []
        if notes:
            blocks, unplaced = comments.place(blocks, notes, language)
        shown = heading
        if changed and old_text is None:
            blocks = redline.liner.mark_blocks(blocks, "insertion")
            shown = redline.liner.mark_inlines(heading, "insertion")
        elif changed:
            blocks = redline.liner.blocks(store.body(old_text), blocks)
            shown = redline.liner.inlines(ast.text(old_text.heading), heading)
        if unplaced:  # whole-section comments, and passages that could not be found
            shown = comments.anchor_on_heading(shown, unplaced, notes, language)
        return shown, blocks

    needs = (marked, old_text) if changed and old_text is not None else (marked,)
    return Part(name, key, text, build=build, needs=needs)


def _comment_key(comment: OpenComment) -> list[object]:
    return [
        comment.id,
        comment.author,
        comment.sector,
        comment.exact,
        comment.prefix,
        comment.suffix,
        comment.body,
        comment.proposed_text,
        iso(comment.created_at),
    ]


class Redline:
    """Pairs the sections of a version with those of an earlier one, and marks the changes."""

    def __init__(self, doc: VersionDocument, earlier: VersionDocument) -> None:
        words = labels(doc.language)
        author = f"{words['redline_author']} {normalize_line(earlier.version_label)}"
        self.liner = Redliner(author, iso(doc.frozen_at))
        self.signature = [author, iso(doc.frozen_at)]
        self.earlier = earlier
        self.old_by_pair = {_pair_key(s): s for s in earlier.sections}
        self.new_pairs = {_pair_key(s) for s in doc.sections}
        self.placed: set[int] = set()

    def old_for(self, section: ExportSection) -> ExportSection | None:
        return self.old_by_pair.get(_pair_key(section))

    def deleted_before(
        self, section: ExportSection | None, writer_key: tuple[object, ...]
    ) -> list[Part]:
        """Parts for the earlier version's deleted sections that came before `section`'s
        counterpart there (with `section` None: all those not placed yet)."""
        stop = len(self.earlier.sections)
        if section is not None:
            old = self.old_for(section)
            if old is None:
                return []
            stop = self.earlier.sections.index(old)
        parts = []
        for index in range(stop):
            old = self.earlier.sections[index]
            if index in self.placed or _pair_key(old) in self.new_pairs:
                continue
            self.placed.add(index)
            parts.append(self._deleted_part(index, old, writer_key))
        return parts

    def _deleted_part(self, index: int, old: ExportSection, writer_key: tuple[object, ...]) -> Part:
        text = section_text(old)
        key = cache.key(*writer_key, "deleted", text.key(), self.signature)

        def build(store: AstStore) -> Built:
            heading = self.liner.mark_inlines(ast.text(text.heading), "deletion")
            return heading, self.liner.mark_blocks(store.body(text), "deletion")

        return Part(f"d{index}", key, text, build=build, needs=(text,))


def _pair_key(section: ExportSection) -> str:
    """How sections are paired across versions: by stable key, else by number."""
    return f"key:{section.key}" if section.key else f"number:{section.number}"
