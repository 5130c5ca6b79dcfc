"""A reviewer's returned .docx, read: a library that knows nothing of the database or Flask.

`read_docx(data, limits=..., by_headings=...)` refuses a hostile file before parsing it
(safety.py: size, zip bombs, names, macros, DTDs) and answers what the file holds
(reader.py): the identity the export wrote into it, its sections' text as exported, and each
comment, reply and tracked change with its passage. app/services/imports.py places them.
"""

from app.docx_import.reader import Identity, Item, ReturnedFile, WordSection, read_docx
from app.docx_import.safety import Limits, Refused

__all__ = ["Identity", "Item", "Limits", "Refused", "ReturnedFile", "WordSection", "read_docx"]
