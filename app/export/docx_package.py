"""Cut a pandoc .docx into per-section pieces, and put pieces from many runs back together.

This is what makes a re-export fast: pandoc's docx writer is the slow half of a conversion, so
each section's WordprocessingML is kept (in the cache) and the next export only converts the
sections whose text changed.

A piece of `document.xml` is not self-contained: it points at numbering definitions (lists),
footnotes, comments and hyperlink relationships by ids that pandoc numbers across the whole run,
and bookmarks and tracked changes carry ids that must be unique in the document. `Cutter` replaces
every such id by a local placeholder (\\x01 kind index \\x01, which XML text cannot hold) and
keeps the definitions each piece points at; `Assembler` gives every placeholder a fresh id in
document order. A piece therefore depends only on its own text, and an export assembled from
cached pieces is byte for byte the export assembled from fresh ones.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from app.export.document import ExportError
from app.export.pandoc import MARK

HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"

# Every attribute that holds a cross-reference id or an id that must be unique.
_REFERENCE = re.compile(
    r"(<w:numId w:val=\"|<w:footnoteReference w:id=\"|"
    r"<w:comment(?:RangeStart|RangeEnd|Reference) w:id=\"|<w:bookmark(?:Start|End) w:id=\"|"
    r"<w:(?:ins|del) w:id=\"|r:id=\")([^\"]*)\""
)
_PLACEHOLDER = re.compile("\x01([a-zA-Z])([0-9]+)\x01")

_NUM = re.compile(r"<w:num w:numId=\"(\d+)\">.*?</w:num>", re.S)
_ABSTRACT = re.compile(r"<w:abstractNum w:abstractNumId=\"(\d+)\">.*?</w:abstractNum>", re.S)
_ABSTRACT_OF = re.compile(r"<w:abstractNumId w:val=\"(\d+)\"")
_FOOTNOTE = re.compile(r"<w:footnote w:id=\"(-?\d+)\">.*?</w:footnote>", re.S)
_COMMENT = re.compile(r"<w:comment w:id=\"(\d+)\".*?</w:comment>", re.S)
_RELATIONSHIP = re.compile(r"<Relationship [^>]*/>")
_REL_ATTR = re.compile(r"(\w+)=\"([^\"]*)\"")


@dataclass
class Piece:
    """One section's WordprocessingML with local placeholders, and what it points at."""

    xml: str
    nums: list[list[str]] = field(default_factory=list)  # [abstract id, <w:num> xml]
    abstracts: dict[str, str] = field(default_factory=dict)
    footnotes: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    links: list[list[str]] = field(default_factory=list)  # document hyperlinks [target, mode]
    note_links: list[list[str]] = field(default_factory=list)  # hyperlinks in footnotes
    unique: int = 0  # bookmarks and tracked changes: ids that only need to be unique

    def to_json(self) -> dict[str, Any]:
        return self.__dict__

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Piece:
        return cls(**data)


@dataclass
class Package:
    """A .docx written by pandoc, opened for cutting."""

    infos: list[zipfile.ZipInfo]
    parts: dict[str, str]  # the XML parts, as text
    binaries: dict[str, bytes]  # everything else, as bytes
    head: str  # document.xml up to and including <w:body>
    pieces: list[tuple[str, str]]  # (name, xml) in order: "front", marked pieces, "back"

    @classmethod
    def open(cls, data: bytes) -> Package:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            parts: dict[str, str] = {}
            binaries: dict[str, bytes] = {}
            for info in infos:
                content = archive.read(info)
                if info.filename.endswith((".xml", ".rels")):
                    parts[info.filename] = content.decode("utf-8")
                else:
                    binaries[info.filename] = content
        document = parts.get("word/document.xml")
        if document is None:
            raise ExportError("pandoc wrote a .docx without word/document.xml")
        start = document.index("<w:body>") + len("<w:body>")
        return cls(infos, parts, binaries, document[:start], _split(document[start:]))

    def relationships(self, part: str) -> dict[str, dict[str, str]]:
        """The relationships of a part (by id), e.g. of word/document.xml."""
        folder, name = part.rsplit("/", 1)
        rels = self.parts.get(f"{folder}/_rels/{name}.rels", "")
        found = {}
        for element in _RELATIONSHIP.findall(rels):
            attributes = dict(_REL_ATTR.findall(element))
            found[attributes["Id"]] = attributes
        return found


def _split(body: str) -> list[tuple[str, str]]:
    """Cut the body at the marker paragraphs (which are dropped): front, pieces..., back."""
    pieces: list[tuple[str, str]] = []
    name, position = "front", 0
    while (mark := body.find(MARK, position)) >= 0:
        end_of_name = body.index(MARK, mark + 1)
        # The marker paragraph's start tag is a few hundred characters back at most.
        window = max(0, mark - 4096)
        start = max(body.rfind("<w:p>", window, mark), body.rfind("<w:p ", window, mark))
        if start < position:
            raise ExportError(f"marker {body[mark + 1 : end_of_name]!r} is not in a paragraph")
        stop = body.index("</w:p>", end_of_name) + len("</w:p>")
        pieces.append((name, body[position:start]))
        name, position = body[mark + 1 : end_of_name], stop
    pieces.append(("back" if name == "end" else name, body[position:]))
    return pieces


class Cutter:
    """Replaces the ids in a stretch of document.xml by placeholders local to one piece."""

    def __init__(self, package: Package) -> None:
        numbering = package.parts.get("word/numbering.xml", "")
        self.nums = {m.group(1): m.group(0) for m in _NUM.finditer(numbering)}
        self.abstracts = {m.group(1): m.group(0) for m in _ABSTRACT.finditer(numbering)}
        notes = package.parts.get("word/footnotes.xml", "")
        self.notes = {m.group(1): m.group(0) for m in _FOOTNOTE.finditer(notes)}
        comments = package.parts.get("word/comments.xml", "")
        self.comments = {m.group(1): m.group(0) for m in _COMMENT.finditer(comments)}
        self.document_rels = package.relationships("word/document.xml")
        self.note_rels = package.relationships("word/footnotes.xml")

    def cut(self, xml: str) -> Piece:
        """Make a piece of `xml`: local placeholders and the definitions it points at."""
        self.piece = Piece(xml="")
        self.local: dict[tuple[str, str], int] = {}
        self.piece.xml = self._localize(xml, self.document_rels, "r")
        return self.piece

    def _localize(self, text: str, rels: dict[str, dict[str, str]], link_kind: str) -> str:
        def replace(match: re.Match[str]) -> str:
            prefix, value = match.group(1), match.group(2)
            if prefix == 'r:id="':
                if rels.get(value, {}).get("Type") != HYPERLINK:
                    return match.group(0)  # a header or footer of the skeleton: kept as is
                kind = link_kind
            elif prefix.startswith("<w:numId"):
                kind = "n"
            elif prefix.startswith("<w:footnoteReference"):
                kind = "f"
            elif prefix.startswith("<w:comment"):
                kind = "c"
            elif prefix.startswith("<w:bookmark"):
                kind, value = "u", f"bookmark {value}"  # start and end share their id
            else:
                kind, value = "u", f"change {self.piece.unique}"  # w:ins, w:del: always fresh
            index = self.local.get((kind, value))
            if index is None:
                index = self._define(kind, value, rels)
                self.local[(kind, value)] = index
            return f'{prefix}\x01{kind}{index}\x01"'

        return _REFERENCE.sub(replace, text)

    def _define(self, kind: str, value: str, rels: dict[str, dict[str, str]]) -> int:
        """Record what placeholder `kind` `value` points at; its local index."""
        piece = self.piece
        if kind == "u":
            piece.unique += 1
            return piece.unique - 1
        if kind == "n":
            num = self.nums[value]
            abstract = _ABSTRACT_OF.search(num).group(1)
            piece.abstracts.setdefault(abstract, self.abstracts[abstract])
            rest = num.split(">", 1)[1]
            piece.nums.append([abstract, f'<w:num w:numId="\x01n{len(piece.nums)}\x01">{rest}'])
            return len(piece.nums) - 1
        if kind in ("r", "R"):
            links = piece.links if kind == "r" else piece.note_links
            rel = rels[value]
            links.append([rel["Target"], rel.get("TargetMode", "")])
            return len(links) - 1
        if kind == "f":
            index = len(piece.footnotes)
            piece.footnotes.append("")  # reserve the slot: the note itself may hold references
            note = self.notes[value].replace(f'w:id="{value}"', f'w:id="\x01f{index}\x01"', 1)
            piece.footnotes[index] = self._localize(note, self.note_rels, "R")
            return index
        if kind == "c":
            index = len(piece.comments)
            comment = self.comments[value]
            piece.comments.append(comment.replace(f'w:id="{value}"', f'w:id="\x01c{index}\x01"', 1))
            return index
        raise ExportError(f"unexpected reference kind {kind!r}")


class Assembler:
    """Numbers the placeholders of pieces, in order, and collects the definitions they need."""

    def __init__(self) -> None:
        self.abstracts: dict[str, str] = {}
        self.nums: list[str] = []
        self.footnotes: list[str] = []
        self.comments: list[str] = []
        self.links: list[list[str]] = []
        self.note_links: list[list[str]] = []
        self.unique = 0

    def add(self, piece: Piece) -> str:
        """The piece's XML with global ids; its definitions are kept for `write`."""
        base = {
            "n": 1000 + len(self.nums),
            "f": 1 + len(self.footnotes),
            "c": 1 + self.unique,
            "u": 1 + self.unique + len(piece.comments),
            "r": len(self.links),
            "R": len(self.note_links),
        }

        def number(match: re.Match[str]) -> str:
            kind, index = match.group(1), int(match.group(2))
            if kind in ("r", "R"):
                return f"rIdPlume{base[kind] + index + 1}"
            return str(base[kind] + index)

        def globalize(text: str) -> str:
            return _PLACEHOLDER.sub(number, text)

        for abstract, xml in piece.abstracts.items():
            self.abstracts.setdefault(abstract, xml)
        self.nums.extend(globalize(num) for _, num in piece.nums)
        self.footnotes.extend(globalize(note) for note in piece.footnotes)
        self.comments.extend(globalize(comment) for comment in piece.comments)
        self.links.extend(piece.links)
        self.note_links.extend(piece.note_links)
        self.unique += len(piece.comments) + piece.unique
        return globalize(piece.xml)

    def write(
        self,
        package: Package,
        body: str,
        replacements: dict[str, str],
        date_time: tuple[int, int, int, int, int, int],
    ) -> bytes:
        """The finished .docx: the package's parts with `body` and the collected definitions.

        `replacements` maps placeholder words in headers and footers to their (escaped) text;
        every zip entry gets `date_time`, so the archive never holds a wall-clock time.
        """
        parts = dict(package.parts)
        parts["word/document.xml"] = package.head + body
        parts["word/numbering.xml"] = _numbering(
            parts.get("word/numbering.xml", ""), self.abstracts, self.nums
        )
        # Pandoc's separators are written w:type first, so _FOOTNOTE leaves them alone.
        parts["word/footnotes.xml"] = _replace_all(
            parts["word/footnotes.xml"], _FOOTNOTE, self.footnotes
        )
        parts["word/comments.xml"] = _replace_all(
            parts["word/comments.xml"], _COMMENT, self.comments
        )
        parts["word/_rels/document.xml.rels"] = _relationships(
            parts["word/_rels/document.xml.rels"], self.links
        )
        if "word/_rels/footnotes.xml.rels" in parts:
            parts["word/_rels/footnotes.xml.rels"] = _relationships(
                parts["word/_rels/footnotes.xml.rels"], self.note_links
            )
        for name in parts:
            if name.startswith(("word/header", "word/footer")):
                for word, value in replacements.items():
                    parts[name] = parts[name].replace(word, value)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for info in package.infos:
                entry = zipfile.ZipInfo(info.filename, date_time)
                entry.compress_type = zipfile.ZIP_DEFLATED
                entry.external_attr = info.external_attr
                if info.filename in parts:
                    archive.writestr(entry, parts[info.filename].encode("utf-8"))
                else:
                    archive.writestr(entry, package.binaries[info.filename])
        return out.getvalue()


def _replace_all(xml: str, pattern: re.Pattern[str], new: list[str]) -> str:
    """Drop the elements `pattern` finds, then append `new` as the root's last children."""
    return _append(pattern.sub("", xml), "".join(new))


def _append(xml: str, children: str) -> str:
    """`children` added at the end of the root element (pandoc writes an empty root as <x/>)."""
    if not children:
        return xml
    stripped = xml.rstrip()
    if stripped.endswith("/>") and stripped.count("<") - stripped.count("<?") == 1:
        name = re.search(r"<([\w:]+)[\s/>]", stripped[stripped.index("<", 1) :]).group(1)
        return stripped[:-2].rstrip() + ">" + children + f"</{name}>"
    close = stripped.rindex("</")
    return stripped[:close] + children + stripped[close:]


def _numbering(xml: str, abstracts: dict[str, str], nums: list[str]) -> str:
    """numbering.xml with exactly the definitions the pieces use (abstract ones first)."""
    if not xml:
        raise ExportError("pandoc wrote a .docx without word/numbering.xml")
    cleaned = _NUM.sub("", _ABSTRACT.sub("", xml))
    return _append(cleaned, "".join(abstracts.values()) + "".join(nums))


def _relationships(xml: str, links: list[list[str]]) -> str:
    """A .rels part without pandoc's hyperlinks, with the pieces' hyperlinks instead."""
    kept = [
        element
        for element in _RELATIONSHIP.findall(xml)
        if dict(_REL_ATTR.findall(element)).get("Type") != HYPERLINK
    ]
    for index, (target, mode) in enumerate(links):
        mode_attr = f' TargetMode="{mode}"' if mode else ""
        rel_id = f"rIdPlume{index + 1}"
        kept.append(
            f'<Relationship Type="{HYPERLINK}" Id="{rel_id}" Target="{target}"{mode_attr} />'
        )
    declaration = xml[: xml.index("<Relationships")]
    namespace = "http://schemas.openxmlformats.org/package/2006/relationships"
    return f'{declaration}<Relationships xmlns="{namespace}">{"".join(kept)}</Relationships>'
