"""What lets a returned .docx find its way home: who it is, and where each section is.

Every Word export carries, in forms Word and LibreOffice both keep when they save a file:
- custom document properties (docProps/custom.xml): the paper id, the version id, the
  version's sha256 and the export id;
- a bookmark `plume-s<section id>` around each section's text (heading included), so that an
  imported passage is placed in its section even when a reviewer edited the headings.

The export id is not the database row of the export (that row is made after the bytes, and the
same version and options must give the same bytes): it is a fingerprint of what was rendered
(version sha256 and options), so two identical exports share it and a different rendering of
the same version (a redline, comments) has another.

The import (app/docx_import) reads the same names from here.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from xml.sax.saxutils import escape as xml_escape

from app.export.document import ExportOptions, VersionDocument

BOOKMARK_PREFIX = "plume-s"
PAPER_ID = "PlumePaperId"
VERSION_ID = "PlumeVersionId"
VERSION_SHA256 = "PlumeVersionSha256"
EXPORT_ID = "PlumeExportId"

CUSTOM_PART = "docProps/custom.xml"
CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
# The format id every custom property of a document carries (MS-OSHARED).
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"

_PARAGRAPH_START = re.compile(r"<w:p(?:\s[^>]*)?>")
_PPR_END = "</w:pPr>"


def export_id(doc: VersionDocument, options: ExportOptions) -> str:
    """The fingerprint of one rendering: the same version and options, the same id."""
    against = options.redline_against
    what = {
        "version": doc.version_sha256,
        "toc": options.toc,
        "comments": options.comments,
        "comment_ids": [comment.id for comment in doc.open_comments] if options.comments else [],
        "redline_against": against.version_sha256 if against is not None else None,
        "signed_off": doc.signed_off,
    }
    if doc.document_symbol or doc.disclaimer or doc.numbered_paragraphs:
        # The paper's document settings render it differently (left out when unset, so an
        # export made before they existed keeps its id).
        what["settings"] = [doc.document_symbol, bool(doc.disclaimer), doc.numbered_paragraphs]
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode("utf-8")).hexdigest()[:16]


def properties(doc: VersionDocument, options: ExportOptions) -> dict[str, str]:
    """The custom properties an export carries (empty values are left out)."""
    values = {
        PAPER_ID: "" if doc.paper_id is None else str(doc.paper_id),
        VERSION_ID: "" if doc.version_id is None else str(doc.version_id),
        VERSION_SHA256: doc.version_sha256,
        EXPORT_ID: export_id(doc, options),
    }
    return {name: value for name, value in values.items() if value}


def stamp(
    parts: dict[str, str],
    infos: list[zipfile.ZipInfo],
    body: list[tuple[str, str]],
    doc: VersionDocument,
    options: ExportOptions,
    first_bookmark_id: int,
) -> str:
    """Add the identity to a package about to be written; returns the body's XML.

    `parts` (XML parts by name) and `infos` (the zip entries, in order) are changed in place;
    `body` is the document's pieces as (part name, XML), the sections named `s<index>` in
    `doc.sections` order; bookmark ids start at `first_bookmark_id` (above every id in use).
    """
    keys = {f"s{index}": section.key for index, section in enumerate(doc.sections)}
    out, next_id = [], first_bookmark_id
    for name, xml in body:
        key = keys.get(name)
        if key:
            xml = _bookmark(xml, f"{BOOKMARK_PREFIX}{key}", next_id)
            next_id += 1
        out.append(xml)
    _add_custom_properties(parts, infos, properties(doc, options))
    return "".join(out)


def _bookmark(xml: str, name: str, bookmark_id: int) -> str:
    """`xml` with a bookmark from its first paragraph's start to its last paragraph's end.

    Both ends sit inside paragraphs (where Word and LibreOffice keep them on save).
    """
    first = _PARAGRAPH_START.search(xml)
    last = xml.rfind("</w:p>")
    if first is None or last < 0:
        return xml
    start = first.end()
    properties_end = xml.find(_PPR_END, start)
    following = _PARAGRAPH_START.search(xml, start)  # not "<w:p" alone: "<w:pPr" starts so
    next_paragraph = following.start() if following else -1
    if properties_end >= 0 and (next_paragraph < 0 or properties_end < next_paragraph):
        start = properties_end + len(_PPR_END)
    opening = f'<w:bookmarkStart w:id="{bookmark_id}" w:name="{xml_escape(name)}" />'
    closing = f'<w:bookmarkEnd w:id="{bookmark_id}" />'
    if last < start:
        return xml
    return xml[:start] + opening + xml[start:last] + closing + xml[last:]


def _add_custom_properties(
    parts: dict[str, str], infos: list[zipfile.ZipInfo], values: dict[str, str]
) -> None:
    """docProps/custom.xml with `values` (kept beside any property already there)."""
    entries = "".join(
        f'<property fmtid="{_FMTID}" pid="{pid}" name="{xml_escape(name)}">'
        f"<vt:lpwstr>{xml_escape(value)}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(values.items(), start=1000)
    )
    existing = parts.get(CUSTOM_PART)
    if existing is not None and "</Properties>" in existing:
        close = existing.rindex("</Properties>")
        parts[CUSTOM_PART] = existing[:close] + entries + existing[close:]
        return
    parts[CUSTOM_PART] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Properties xmlns="{CUSTOM_NS}" xmlns:vt="{VT_NS}">{entries}</Properties>'
    )
    if existing is None:
        infos.append(zipfile.ZipInfo(CUSTOM_PART))
    types = parts["[Content_Types].xml"]
    if f'PartName="/{CUSTOM_PART}"' not in types:
        override = f'<Override PartName="/{CUSTOM_PART}" ContentType="{CUSTOM_TYPE}" />'
        close = types.rindex("</Types>")
        parts["[Content_Types].xml"] = types[:close] + override + types[close:]
    rels = parts["_rels/.rels"]
    if CUSTOM_REL not in rels:
        relation = (
            f'<Relationship Id="rIdPlumeCustom" Type="{CUSTOM_REL}" Target="{CUSTOM_PART}" />'
        )
        close = rels.rindex("</Relationships>")
        parts["_rels/.rels"] = rels[:close] + relation + rels[close:]
