"""DOCX export: pandoc's docx writer with Plume's reference.docx, one section at a time.

One pandoc run converts the front matter and every section not already in the cache; cached
sections appear in that run only as a marker. The result is cut at the markers (docx_package),
the new pieces are cached, and all pieces are put together again in order. The title block goes
first; the header and footer that come from reference.docx get the paper title, the DRAFT mark
(drafts only), the version label, the short hash and the page numbers.

Word comments ride in the same run as plain markers in the text, which docx_comments turns into
Word comments on each converted piece (see comments.py). With a redline, the changed sections are
built as AST in Python (redline.py) and the run reads JSON instead of Markdown.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from app.export import (
    ast,
    cache,
    docx_comments,
    docx_front,
    docx_identity,
    docx_layout,
    frontmatter,
    pandoc,
    reference_docx,
)
from app.export.document import ExportOptions, VersionDocument
from app.export.docx_package import Assembler, Cutter, Package, Piece
from app.export.labels import epoch, labels, original_line, place_and_date, stamp, utc
from app.export.markdown import normalize_line
from app.export.parts import AstStore, Part, plan_parts, split_blocks

REFERENCE = Path(__file__).resolve().parent / "reference.docx"
LANGUAGES = {"en": "en-GB", "fr": "fr-FR"}
NUMBERED = Path(__file__).resolve().parent / "numbered_paragraphs.lua"
# What numbered_paragraphs.lua puts where a paragraph's number goes (Plume's users cannot type
# it: markdown.MARKER_CHARS).
NUMBER = "\ue0f4"
# The character style of a paragraph's number: the import of a returned file leaves such runs
# out (app/docx_import/reader.py), so the numbers never come back as text.
NUMBER_STYLE = "PlumeParagraphNumber"
_NUMBER_STYLE_XML = (
    f'<w:style w:type="character" w:customStyle="1" w:styleId="{NUMBER_STYLE}">'
    '<w:name w:val="Plume Paragraph Number" /><w:basedOn w:val="DefaultParagraphFont" />'
    "</w:style>"
)


def render_docx(doc: VersionDocument, options: ExportOptions, pieces: cache.PieceCache) -> bytes:
    """The .docx of a version (same document and options: same bytes)."""
    # Numbered paragraphs put a marker in each converted paragraph: other pieces.
    numbered = ("numbered",) if doc.numbered_paragraphs else ()
    writer_key = ("docx", pandoc.pandoc_version(), *numbered)
    parts = plan_parts(doc, options, writer_key)
    cached: dict[str, Piece] = {}
    for part in parts:
        data = pieces.get("docx", part.key)
        if data is not None:
            cached[part.name] = Piece.from_json(json.loads(data))
    todo = [part for part in parts if part.name not in cached]

    words = labels(doc.language)
    args = [
        "--reference-doc",
        str(REFERENCE),
        "--metadata",
        f"lang={LANGUAGES.get(doc.language, 'en-GB')}",
        "--metadata",
        f"toc-title={words['contents']}",
    ]
    if options.toc:
        args += ["--toc", "--toc-depth=3"]
    if numbered:
        args += ["--lua-filter", str(NUMBERED)]
    front = frontmatter.notice(doc) + "\n" + frontmatter.front_pages(doc)
    if any(part.build is not None for part in todo):
        written = iter([_convert_annotated(parts, todo, front, pieces, args, epoch(doc.frozen_at))])
    else:
        written = _convert_markdown(todo, front, args, epoch(doc.frozen_at))

    # The first run wrote the skeleton (front matter, styles, the final section). Each run's
    # pieces are cut, with the ids of their own run, as soon as it is done (while the others
    # still convert), and cached.
    keys = {part.name: part.key for part in parts}
    commented = {part.name: part.comments for part in todo if part.comments}
    package = None
    for data in written:
        run = Package.open(data)
        cutter = Cutter(run)
        for name, xml in run.pieces:
            # (A cached part is only a marker in the run that converts the redline.)
            if name in cached or (package is not None and name in ("front", "back")):
                continue
            piece = cached[name] = cutter.cut(xml)
            if name in commented:
                docx_comments.annotate(piece, commented[name], doc.language)
            if name in keys:
                pieces.put("docx", keys[name], json.dumps(piece.to_json()).encode("utf-8"))
        package = package or run
    assembler = Assembler()
    body = [("title", _title_block(doc))]
    annexes = {f"a{index}": annex for index, annex in enumerate(doc.annexes)}
    first_annex = None
    for name in ["front", *(part.name for part in parts), "back"]:
        if name in annexes and first_annex is None:
            first_annex = len(body)
        body.append((name, assembler.add(cached[name])))
    if first_annex is not None:
        _landscape_annexes(
            body, first_annex, [annexes[f"a{i}"] for i in range(len(annexes))], package
        )
        styles = package.parts["word/styles.xml"]
        package.parts["word/styles.xml"] = docx_layout.with_table_style(styles)
    # Ids above every one the assembler gave out: bookmarks must be unique in the document.
    text = docx_identity.stamp(
        package.parts, package.infos, body, doc, options, assembler.unique + 1
    )
    if numbered:
        text = number_paragraphs(text)
        styles = package.parts["word/styles.xml"]
        if NUMBER_STYLE not in styles:
            package.parts["word/styles.xml"] = styles.replace(
                "</w:styles>", _NUMBER_STYLE_XML + "</w:styles>"
            )
    if options.toc:
        text = docx_front.cover_then_contents(docx_front.fill_toc(text))
        package.parts["word/styles.xml"] = docx_front.with_toc_styles(
            package.parts["word/styles.xml"]
        )
    language = LANGUAGES.get(doc.language, "en-GB")
    package.parts["docProps/core.xml"] = docx_front.core_properties(doc, language)
    package.parts["docProps/app.xml"] = docx_front.app_properties()
    return assembler.write(package, text, _header_footer(doc), _zip_time(doc))


def _convert_markdown(
    todo: list[Part], front: str, args: list[str], seconds: int
) -> Iterator[bytes]:
    """Convert the front matter and the parts to convert: one pandoc run, or several at once
    on a long text (pandoc uses one core; each section's piece is the same from any run).
    Yields each run's .docx in order; each run starts as soon as its texts are made."""
    groups = _groups(todo, _jobs())
    if len(groups) == 1:
        yield pandoc.convert(_plan(front, todo), "docx", args, seconds)
        return
    # Only the first run's contents list is kept (the others have no front matter).
    rest = [arg for arg in args if arg not in ("--toc", "--toc-depth=3")]
    with ThreadPoolExecutor(max_workers=len(groups)) as pool:
        runs = [
            pool.submit(
                pandoc.convert,
                _plan(front if index == 0 else None, group),
                "docx",
                args if index == 0 else rest,
                seconds,
            )
            for index, group in enumerate(groups)
        ]
        for run in runs:
            yield run.result()


def _plan(front: str | None, group: list[Part]) -> pandoc.Plan:
    plan = pandoc.Plan()
    if front is not None:
        plan.trusted(front)
    for part in group:
        plan.mark(part.name)
        plan.extend(part.text.chunks())
    plan.mark("end")
    return plan


# Below this much Markdown per run, starting another pandoc costs more than it saves.
RUN_CHARS = 60_000


def _jobs() -> int:
    """How many pandoc runs may convert one export at once (PLUME_PANDOC_JOBS, else the
    cores this process may use, at most 4)."""
    try:
        wanted = int(os.environ.get("PLUME_PANDOC_JOBS", "0"))
    except ValueError:
        wanted = 0
    if wanted > 0:
        return wanted
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(4, cores or 1))


def _groups(todo: list[Part], jobs: int) -> list[list[Part]]:
    """`todo` in consecutive groups of about the same size, one per pandoc run (the first
    may be empty: it still writes the front matter)."""
    sizes = [part.size for part in todo]
    total = sum(sizes)
    count = max(1, min(jobs, total // RUN_CHARS))
    if count == 1:
        return [todo]
    groups: list[list[Part]] = [[]]
    done = 0
    for part, size in zip(todo, sizes, strict=True):
        if done >= total * len(groups) / count and len(groups) < count:
            groups.append([])
        groups[-1].append(part)
        done += size
    return groups


def _convert_annotated(
    parts: list[Part],
    todo: list[Part],
    front: str,
    pieces: cache.PieceCache,
    args: list[str],
    seconds: int,
) -> bytes:
    """Convert via JSON: parse what needs parsing (one run), build, write (a second run)."""
    store = AstStore(pieces)
    store.load(text for part in todo if part.build is not None for text in part.needs)
    plan = pandoc.Plan()
    plan.trusted(front)
    for part in todo:
        if part.build is None:
            plan.mark(part.name)
            plan.extend(part.text.chunks())
    parsed = split_blocks(json.loads(pandoc.convert(plan, "json"))["blocks"])

    blocks = list(parsed["front"])
    todo_names = {part.name for part in todo}
    for part in parts:
        blocks.append(ast.para([{"t": "Str", "c": f"{pandoc.MARK}{part.name}{pandoc.MARK}"}]))
        if part.name not in todo_names:
            continue
        if part.build is not None:
            heading, body = part.build(store)
            blocks.append(ast.header(part.level, heading))
            blocks.extend(body)
        else:
            blocks.extend(parsed[part.name])
    blocks.append(ast.para([{"t": "Str", "c": f"{pandoc.MARK}end{pandoc.MARK}"}]))
    return pandoc.convert_ast(blocks, "docx", args, seconds)


def number_paragraphs(xml: str) -> str:
    """The document with each paragraph-number marker replaced by 1., 2., 3... in order."""
    if NUMBER not in xml:
        return xml
    numbers = itertools.count(1)
    pieces = xml.split(NUMBER)
    return "".join(
        piece if index == 0 else f"{next(numbers)}.{piece}" for index, piece in enumerate(pieces)
    )


def _landscape_annexes(
    body: list[tuple[str, str]], first: int, annexes: list, package: Package
) -> None:
    """The annexes (body[first:], as (piece name, XML)) on landscape pages, their tables given
    column widths."""
    final = docx_layout.last_section(body[-1][1])
    if not final:
        return
    width = docx_layout.landscape_text_width(final)
    for offset, annex in enumerate(annexes):
        name, xml = body[first + offset]
        body[first + offset] = (name, docx_layout.table_widths(xml, annex.widths, width))
    name, xml = body[-1]
    turned = docx_layout.landscape(final)
    turned = docx_layout.landscape_header_footer(package.parts, package.infos, turned)
    body[-1] = (name, xml.replace(final, turned))
    body.insert(first, ("break", docx_layout.section_break(final)))


def _title_block(doc: VersionDocument) -> str:
    """The title and subtitle paragraphs (Word's Title and Subtitle styles)."""
    words = labels(doc.language)
    subtitle = (
        f"{words['version']} {normalize_line(doc.version_label)} — "
        f"{words['frozen']} {stamp(doc.frozen_at)}"
    )
    # The UN cover block: organisation, sector and symbol above the title, the place and
    # date line and the original language under it.
    paragraphs = [
        ("Normal", words["organisation"]),
        ("Normal", normalize_line(doc.sector_name)),
        ("Normal", normalize_line(doc.document_symbol)),
        ("Title", normalize_line(doc.paper_title)),
        ("Subtitle", subtitle),
        ("Normal", place_and_date(doc.frozen_at, doc.language)),
        ("Normal", original_line(doc.language)),
    ]
    return "".join(
        f'<w:p><w:pPr><w:pStyle w:val="{style}" /></w:pPr>'
        f'<w:r><w:t xml:space="preserve">{xml_escape(text)}</w:t></w:r></w:p>'
        for style, text in paragraphs
        if text
    )


def _header_footer(doc: VersionDocument) -> dict[str, str]:
    """The text that replaces each placeholder word of the reference header and footer."""
    words = labels(doc.language)
    values = {
        reference_docx.TITLE: " · ".join(
            part
            for part in (normalize_line(doc.document_symbol), normalize_line(doc.paper_title))
            if part
        ),
        reference_docx.DRAFT: "" if doc.signed_off else words["draft"],
        reference_docx.VERSION: normalize_line(doc.version_label),
        reference_docx.HASH: doc.version_sha256[:12],
        reference_docx.PAGE: words["page"],
        reference_docx.OF: words["of"],
    }
    return {word: xml_escape(value) for word, value in values.items()}


def _zip_time(doc: VersionDocument) -> tuple[int, int, int, int, int, int]:
    """Every zip entry's time: the version's (1980 at least: zip cannot go earlier)."""
    moment = utc(doc.frozen_at)
    if moment.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
