"""A large PDF compiled in chunks of sections, each in a fresh typst child, then merged.

typst holds the whole laid-out document in memory (about 2.7 GB for 1,000 sections, more than
the child's limit, PLUME_RENDER_MEMORY_MB), and a whole-document compile costs the same
whatever changed. So a paper with more than PLUME_PDF_CHUNKED_FROM parts (default 150) is cut
into chunks of about PLUME_PDF_CHUNK_SECTIONS parts (default 40), cut only where a chapter (a
level-1 part) starts, which starts a new page anyway:

- each chunk is compiled alone, with the template's styles and no running header or footer,
  its footnote and numbered-paragraph counters carried in from the chunks before it (typst
  answers their final values through the `<plume-end>` metadata); its PDF is cached by the
  hash of its source, which holds those counters, so a re-export recompiles only the chunks
  whose text or carried-in counters changed (page numbers are not in a chunk: see below);
- the front (cover and contents) is compiled last, once the chunks' headings and page counts
  are known (each chunk's PDF outline gives its headings' pages and positions);
- one decoration document draws what depends on the page: header, footer ("Page n of N"), the
  DRAFT mark, one page per page of the PDF, in the orientation of that page; each of its pages
  is laid under the matching page as a form XObject;
- pypdf merges the front and the chunks (their outlines with them), points the contents'
  links at the headings, and writes the PDF under an ID derived from the content, so the same
  document and options give the same bytes.

Peak memory is then one chunk's (a few hundred MB) and the front's or the decoration's.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime

from app.export import cache
from app.export.document import ExportError, ExportOptions, VersionDocument
from app.export.labels import epoch

DEFAULT_CHUNK_SECTIONS = 40
DEFAULT_CHUNKED_FROM = 150
# A contents entry's placeholder link encodes the entry's index in its target: x the thousands
# and a half, y the rest in steps of half a point (typst's target is 10 pt above the y given).
TOC_ROWS = 1500


def _setting(name: str, default: int) -> int:
    try:
        value = int(os.environ.get(name, default))
    except ValueError:
        return default
    return max(1, value)


def chunk_sections() -> int:
    """How many parts a chunk holds (PLUME_PDF_CHUNK_SECTIONS, default 40)."""
    return _setting("PLUME_PDF_CHUNK_SECTIONS", DEFAULT_CHUNK_SECTIONS)


def chunked(parts: int) -> bool:
    """Whether a paper of `parts` parts is compiled in chunks: when it has more than
    PLUME_PDF_CHUNKED_FROM (default 150). A smaller paper lays out in one compile of a few
    hundred MB, and a re-export of it costs less than the chunks' fixed costs (the front,
    the decoration and the merge: about 5 s at 60 sections)."""
    return parts > _setting("PLUME_PDF_CHUNKED_FROM", DEFAULT_CHUNKED_FROM)


@dataclass(frozen=True)
class Item:
    """One piece of the body's typst: a part (or the front or back matter) and how it starts."""

    name: str
    level: int  # 1 for a chapter or an annex; 0 for the front and back matter
    landscape: bool  # on landscape pages
    flip: bool  # the first landscape piece: starts the landscape pages
    breaks: bool  # starts a new page
    text: str

    def typst(self, first: bool = False) -> str:
        if self.flip and not first:
            return "#set page(flipped: true)\n" + self.text
        if self.breaks and not first:
            return "#pagebreak(weak: true)\n" + self.text
        return self.text


def plan(items: list[Item], size: int) -> list[list[Item]]:
    """The items in chunks of about `size` parts, each starting at a chapter (or the first)."""
    chunks: list[list[Item]] = [[]]
    count = 0
    for item in items:
        if item.level == 1 and count >= size:
            chunks.append([])
            count = 0
        chunks[-1].append(item)
        count += item.name not in ("front", "back")
    return [chunk for chunk in chunks if chunk]


def _styles(language: str) -> str:
    """The template before the cover: styles and page set-up, for `language`."""
    from app.export import pdf

    template = pdf.TEMPLATE.read_text(encoding="utf-8")
    styles = template[: template.index("// PLUME-COVER")]
    return styles.replace("PLUME_LANG", pdf.typst_string(language))


def _language(doc: VersionDocument) -> str:
    from app.export import pdf

    return doc.language if doc.language in pdf.LANGUAGES else "en"


@dataclass
class Compiled:
    pdf: bytes
    end: dict


def _compile(source: str, timestamp: int, pieces: cache.PieceCache | None) -> Compiled:
    """A chunk's PDF and its `<plume-end>` value, from the cache when it holds that source."""
    from app.export import pdf

    name = cache.key("pdf-chunk", timestamp, source) if pieces is not None else None
    if name is not None and (data := pieces.get("pdf-chunk", name)) is not None:
        size, _, rest = data.partition(b" ")
        return Compiled(rest[: int(size)], json.loads(rest[int(size) :]))
    data = pdf.COMPILER.compile(source, timestamp, end=True)
    if name is not None:
        pieces.put("pdf-chunk", name, data)
    size, _, rest = data.partition(b" ")
    return Compiled(rest[: int(size)], json.loads(rest[int(size) :]))


END = (
    "\n#context [#metadata((footnotes: counter(footnote).get().first(), paragraphs: "
    'counter("plume-paragraph").get().first())) <plume-end>]\n'
)


def chunk_source(styles: str, chunk: list[Item], footnotes: int, paragraphs: int) -> str:
    """A chunk alone: the styles, no running header or footer, the counters carried in."""
    flipped = "true" if chunk[0].landscape else "false"
    head = (
        f"{styles}\n#set page(header: none, footer: none, background: none, flipped: {flipped})\n"
        f"#counter(footnote).update({footnotes})\n"
        f'#counter("plume-paragraph").update({paragraphs})\n'
    )
    body = "".join(item.typst(first=index == 0) for index, item in enumerate(chunk))
    return head + body + END


@dataclass(frozen=True)
class Heading:
    title: str
    level: int
    page: int  # 0-based, in the chunk
    top: float  # PDF units from the page's bottom
    left: float


def _headings(reader) -> list[Heading]:
    """The headings a chunk's PDF outline lists, in order."""
    found: list[Heading] = []

    def walk(entries, level: int) -> None:
        for entry in entries:
            if isinstance(entry, list):
                walk(entry, level + 1)
                continue
            page = reader.get_destination_page_number(entry)
            found.append(
                Heading(str(entry.title), level, page, float(entry.top), float(entry.left))
            )

    walk(reader.outline, 1)
    return found


def front_source(doc: VersionDocument, options: ExportOptions, entries: list[tuple]) -> str:
    """The cover, and the contents (`entries`: level, title, page number) when asked."""
    from app.export import pdf

    template = pdf._template(doc, options)
    cover = template[template.index("// PLUME-COVER") : template.index("// PLUME-CONTENTS")]
    source = (
        _styles(_language(doc))
        + "\n#set page(header: none, footer: none, background: none)\n"
        + cover
    )
    if not options.toc:  # the cover without its closing page break: the body is another PDF
        return source[: source.rindex("#pagebreak()")] + END
    title = pdf.typst_string(pdf._values(doc, options)["contents"])
    lines = [
        f"#heading(level: 1, outlined: false, bookmarked: false)[#{title}]",
        # An entry links to its heading: pdf_chunks._merge points it there (its placeholder
        # target's y holds the entry's index). Set like typst's own outline: indented by
        # level, dotted leaders, the page number at the right.
        "#let plume-entry(level, title, page, index) = block(above: 0.65em, below: 0em, "
        "link((page: 1, x: calc.floor(index / "
        f"{TOC_ROWS}) * 1pt, y: 20pt + calc.rem(index, {TOC_ROWS}) * 0.5pt), text(fill: black, "
        "grid(columns: ((level - 1) * 1.2em, 1fr, auto), [], "
        "{ set par(justify: false); title "
        "; box(width: 1fr, inset: (x: 3pt), repeat(gap: 0.15em)[.]) }, page))))",
    ]
    for index, (level, title, page) in enumerate(entries):
        lines.append(f"#plume-entry({level}, {pdf.typst_string(title)}, [{page}], {index})")
    return source + "\n".join(lines) + END


def decoration_source(doc: VersionDocument, options: ExportOptions, flipped: list[bool]) -> str:
    """One empty page per page of the PDF, in its orientation, with the running header and
    footer and the DRAFT mark of the template."""
    from app.export import pdf

    template = pdf._template(doc, options)
    styles = template[: template.index("// PLUME-COVER")]
    meta = template[template.index("#metadata(") :].split("\n", 1)[0]
    bodies = [""] * len(flipped)
    bodies[0] += meta
    bodies[-1] += END
    pages = [
        f"#page(flipped: {'true' if f else 'false'})[{body}]"
        for f, body in zip(flipped, bodies, strict=True)
    ]
    return styles + "\n" + "\n".join(pages) + "\n"


def render(
    doc: VersionDocument, options: ExportOptions, items: list[Item], pieces: cache.PieceCache
) -> bytes:
    """The PDF of a large version, compiled in chunks (see the module's docstring)."""
    import pypdf

    styles = _styles(_language(doc))
    footnotes = paragraphs = 0
    readers = []
    for chunk in plan(items, chunk_sections()):
        compiled = _compile(chunk_source(styles, chunk, footnotes, paragraphs), 0, pieces)
        footnotes = int(compiled.end["footnotes"])
        paragraphs = int(compiled.end["paragraphs"])
        readers.append(pypdf.PdfReader(io.BytesIO(compiled.pdf)))

    headings: list[tuple[int, Heading]] = []  # (page offset after the front, heading)
    offset = 0
    for reader in readers:
        headings.extend((offset, heading) for heading in _headings(reader))
        offset += len(reader.pages)

    timestamp = epoch(doc.frozen_at)
    front_pages = 1 + (1 if options.toc else 0)
    for _attempt in range(4):
        entries = [
            (h.level, h.title, front_pages + start + h.page + 1)
            for start, h in headings
            if h.level <= 3
        ]
        front = _compile(front_source(doc, options, entries), timestamp, None)
        front_reader = pypdf.PdfReader(io.BytesIO(front.pdf))
        if len(front_reader.pages) == front_pages:
            break
        front_pages = len(front_reader.pages)
    else:
        raise ExportError("the contents' page count did not settle")

    return _merge(doc, options, front_reader, readers, headings)


def _merge(
    doc: VersionDocument,
    options: ExportOptions,
    front_reader,
    readers: list,
    headings: list[tuple[int, Heading]],
) -> bytes:
    """One PDF: the front, the chunks (their outlines), each page over its decoration."""
    import pypdf
    from pypdf.generic import (
        ArrayObject,
        ByteStringObject,
        DecodedStreamObject,
        IndirectObject,
        NameObject,
        NumberObject,
    )

    from app.export import pdf
    from app.export.markdown import normalize_line

    writer = pypdf.PdfWriter()
    writer.append(front_reader, import_outline=False)
    for reader in readers:
        writer.append(reader)
    front_pages = len(front_reader.pages)

    flipped = [float(page.mediabox.width) > float(page.mediabox.height) for page in writer.pages]
    decoration = _compile(decoration_source(doc, options, flipped), epoch(doc.frozen_at), None)
    decoration_reader = pypdf.PdfReader(io.BytesIO(decoration.pdf))
    if len(decoration_reader.pages) != len(writer.pages):
        raise ExportError("the page decoration does not match the pages")
    for index, (page, under) in enumerate(zip(writer.pages, decoration_reader.pages, strict=True)):
        form = DecodedStreamObject()
        form.set_data(under.get_contents().get_data())
        form[NameObject("/Type")] = NameObject("/XObject")
        form[NameObject("/Subtype")] = NameObject("/Form")
        form[NameObject("/BBox")] = ArrayObject(
            [NumberObject(0), NumberObject(0), *under.mediabox[2:]]
        )
        form[NameObject("/Resources")] = under["/Resources"].clone(writer)
        form = form.flate_encode()
        name = NameObject(f"/PlumePage{index}")
        resources = page["/Resources"].get_object()
        if "/XObject" not in resources:
            resources[NameObject("/XObject")] = pypdf.generic.DictionaryObject()
        resources["/XObject"].get_object()[name] = writer._add_object(form)
        draw = DecodedStreamObject()
        draw.set_data(b"q " + name.encode() + b" Do Q\n")
        contents = page.raw_get("/Contents")  # a reference, or an array of references
        if isinstance(contents.get_object(), list):
            old = list(contents.get_object())
        elif isinstance(contents, IndirectObject):
            old = [contents]
        else:
            old = [writer._add_object(contents)]
        page[NameObject("/Contents")] = ArrayObject([writer._add_object(draw), *old])

    # The contents' links: each placeholder's y holds its entry's index.
    targets = [
        (front_pages + start + h.page, h.left, h.top) for start, h in headings if h.level <= 3
    ]
    for page in writer.pages[:front_pages]:
        for annotation in page.get("/Annots", []):
            annotation = annotation.get_object()
            dest = annotation.get("/Dest")
            if dest is None:
                continue
            dest = dest.get_object()
            height = float(writer.pages[0].mediabox.height)
            index = round(float(dest[2])) * TOC_ROWS + round((height - 10 - float(dest[3])) * 2)
            if 0 <= index < len(targets):
                number, left, top = targets[index]
                target = writer.pages[number].indirect_reference
                annotation[NameObject("/Dest")] = ArrayObject(
                    [
                        target,
                        NameObject("/XYZ"),
                        pypdf.generic.FloatObject(left),
                        pypdf.generic.FloatObject(top),
                        pypdf.generic.NullObject(),
                    ]
                )

    moment = datetime.fromtimestamp(epoch(doc.frozen_at), UTC).strftime("D:%Y%m%d%H%M%SZ")
    writer.add_metadata(
        {
            "/Title": normalize_line(doc.paper_title),
            "/Creator": "Plume",
            "/CreationDate": moment,
            "/ModDate": moment,
        }
    )
    identity = hashlib.sha256(
        json.dumps([doc.version_sha256, pdf._values(doc, options)], sort_keys=True).encode()
    ).digest()[:16]
    writer._ID = ArrayObject([ByteStringObject(identity), ByteStringObject(identity)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
