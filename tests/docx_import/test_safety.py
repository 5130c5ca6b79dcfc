"""Hostile files are refused before parsing, with a reason a person can act on."""

from __future__ import annotations

import pytest

from app.docx_import import Limits, Refused, read_docx
from tests.docx_import.hostile import HOSTILE, plain


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_file_is_refused_with_its_reason(name):
    make, reason = HOSTILE[name]
    with pytest.raises(Refused) as refused:
        read_docx(make())
    assert refused.value.reason == reason


def test_a_file_over_the_size_limit_is_refused_before_it_is_opened():
    data = plain().build()
    with pytest.raises(Refused) as refused:
        read_docx(data, limits=Limits(max_bytes=len(data) - 1))
    assert refused.value.reason == "import_too_large"
    assert refused.value.params == {"limit": len(data) - 1}


def test_a_directory_that_lies_about_sizes_gains_nothing():
    """The directory says 10 bytes; the stream holds more: refused, not inflated."""
    import io
    import zipfile

    data = plain().build()
    archive = zipfile.ZipFile(io.BytesIO(data))
    info = archive.getinfo("word/document.xml")
    # Patch the declared size in the central directory (and the local header).
    real = info.file_size.to_bytes(4, "little")
    forged = data.replace(real, (10).to_bytes(4, "little"))
    with pytest.raises(Refused) as refused:
        read_docx(forged)
    assert refused.value.reason in ("import_zip_bomb", "import_malformed", "import_not_docx")
