"""A returned .docx is untrusted: refuse a hostile file before anything parses it.

Checked from the zip's central directory, before any part is inflated: the number of entries,
the total uncompressed size and the compression ratio (zip bombs), names that leave the
package (absolute, `..`, backslashes, drive letters), encrypted entries, and macros (a
`vbaProject.bin`, a macro-enabled content type). Each part is then inflated with a cap on
what it may produce (a directory that lies about sizes gains nothing), and parsed by one
hardened XML parser: no DTD, no entity resolution, no network; a part that declares a DTD
at all (billion laughs, XXE) is refused.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from lxml import etree

MIB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """What a returned file may be. `max_bytes` is the upload's own size."""

    max_bytes: int = 20 * MIB
    max_entries: int = 1_000
    max_uncompressed: int = 200 * MIB
    max_part: int = 100 * MIB
    # A part that inflates more than this many times over is a bomb, not a document (Word's
    # XML compresses 5 to 20 times); small parts are exempt, their ratio says nothing.
    max_ratio: int = 100
    ratio_from: int = 1 * MIB


class Refused(Exception):
    """The file is refused: `reason` names why (a code of app/errors.py), `params` the facts."""

    def __init__(self, reason: str, **params: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params = params


MACRO_TYPES = ("macroEnabled", "vbaProject", "vbaData")


def open_package(data: bytes, limits: Limits) -> zipfile.ZipFile:
    """The zip, once its directory has passed every check."""
    if len(data) > limits.max_bytes:
        raise Refused("import_too_large", limit=limits.max_bytes)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise Refused("import_not_docx") from None
    if len(infos) > limits.max_entries:
        raise Refused("import_zip_bomb", limit=limits.max_uncompressed)
    total = 0
    seen: set[str] = set()
    for info in infos:
        name = info.filename
        _check_name(name)
        if name.lower() in seen:
            raise Refused("import_unsafe_name", name=name)
        seen.add(name.lower())
        if info.flag_bits & 0x1:
            raise Refused("import_encrypted")
        if name.lower().endswith(("vbaproject.bin", "vbadata.xml")):
            raise Refused("import_macros", name=name)
        total += info.file_size
        compressed = max(info.compress_size, 1)
        too_big = info.file_size > limits.max_part or total > limits.max_uncompressed
        if too_big or (
            info.file_size > limits.ratio_from and info.file_size / compressed > limits.max_ratio
        ):
            raise Refused("import_zip_bomb", limit=limits.max_uncompressed)
    return archive


def _check_name(name: str) -> None:
    parts = name.split("/")
    if (
        not name
        or name.startswith("/")
        or "\\" in name
        or "\x00" in name
        or (len(name) > 1 and name[1] == ":")
        or any(part in ("..", ".") for part in parts)
    ):
        raise Refused("import_unsafe_name", name=name)


def read_part(archive: zipfile.ZipFile, name: str, limits: Limits) -> bytes | None:
    """A part's bytes (None if absent), inflated no further than its declared size allows."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    cap = min(info.file_size, limits.max_part)
    try:
        with archive.open(info) as stream:
            data = stream.read(cap + 1)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError, RuntimeError):
        raise Refused("import_malformed", part=name) from None
    except Exception:  # zlib.error and friends: a damaged stream
        raise Refused("import_malformed", part=name) from None
    if len(data) > cap:
        raise Refused("import_zip_bomb", limit=limits.max_uncompressed)
    return data


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(data: bytes, part: str) -> etree._Element:
    """A part's XML root; refused if malformed or if it declares a DTD (entities)."""
    try:
        root = etree.fromstring(data, _parser())
    except (etree.XMLSyntaxError, ValueError):
        raise Refused("import_malformed", part=part) from None
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise Refused("import_xml_unsafe", part=part)
    if _has_entities(root):
        raise Refused("import_xml_unsafe", part=part)
    return root


def _has_entities(root: etree._Element) -> bool:
    return any(isinstance(node, etree._Entity) for node in root.iter())


def check_content_types(root: etree._Element) -> None:
    """A macro-enabled document says so in [Content_Types].xml: refused."""
    for element in root:
        kind = element.get("ContentType") or ""
        if any(word.lower() in kind.lower() for word in MACRO_TYPES):
            raise Refused("import_macros", name=element.get("PartName") or kind)
