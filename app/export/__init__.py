"""Export: a frozen version to Markdown, Word and PDF, and the comment resolution matrix.

A pure library: it takes plain value objects (document.py) and knows nothing of the database
or of Flask. Version -> consolidated Markdown (markdown.py); version -> pandoc, sandboxed, with
the section texts parsed one by one and cleaned by Lua filters (pandoc.py, sanitize_*.lua) ->
DOCX (docx.py, docx_package.py, reference.docx, frontmatter.py) or typst -> PDF (pdf.py,
template.typ); comments and tracked changes for Word (comments.py, redline.py); converted
sections are cached by content (cache.py, parts.py); the comment matrix (matrix.py).
"""

from app.export.document import (
    Annex,
    ExportError,
    ExportOptions,
    ExportSection,
    MatrixRow,
    OpenComment,
    SignoffRow,
    VersionDocument,
)
from app.export.labels import labels
from app.export.markdown import consolidated_markdown
from app.export.matrix import comment_matrix_csv, comment_matrix_docx
from app.export.render import render
from app.export.runner import RenderLimit

__all__ = [
    "Annex",
    "ExportError",
    "ExportOptions",
    "ExportSection",
    "MatrixRow",
    "OpenComment",
    "RenderLimit",
    "SignoffRow",
    "VersionDocument",
    "comment_matrix_csv",
    "comment_matrix_docx",
    "consolidated_markdown",
    "labels",
    "render",
]
