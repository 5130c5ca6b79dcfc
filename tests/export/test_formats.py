"""The format registry is the one list every layer reads."""

from __future__ import annotations

from app.cli import export_version
from app.export import formats
from app.models import ExportFormat
from app.services import exports
from app.web import i18n


def test_every_layer_offers_exactly_the_registered_formats():
    names = list(formats.FORMATS)
    assert names == ["docx", "pdf", "md"]
    assert [member.value for member in ExportFormat] == names
    assert names == exports.DOCUMENT_FORMATS
    assert list(i18n.EXPORT_FORMATS) == names
    choice = next(p for p in export_version.params if p.name == "fmt").type
    assert list(choice.choices) == names


def test_the_media_type_of_a_download_is_the_registered_one():
    assert exports.MEDIA_TYPES["pdf"] == "application/pdf"
    assert exports.MEDIA_TYPES["md"] == "text/markdown; charset=utf-8"
    assert exports.MEDIA_TYPES["docx"].endswith("wordprocessingml.document")


def test_options_are_offered_by_the_formats_that_honour_them():
    assert formats.supporting(formats.COMMENTS) == ["docx"]
    assert formats.supporting(formats.REDLINE) == ["docx"]
    assert formats.supporting(formats.TOC) == ["docx", "pdf"]
