"""Fill French translations into the .po file from a JSON or Python dict (a developer's tool).

    .venv/bin/python tests/translate.py FILE.json   {"English msgid": "French", ...}
    .venv/bin/python tests/translate.py --missing   lists the msgids without a translation

Then `make translations` compiles the catalogue. Contexts (pgettext) are given as
"context\\x04msgid" keys.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parents[1] / "app/web/translations/fr/LC_MESSAGES/messages.po"


def _key(message) -> str:
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    return f"{message.context}\x04{msgid}" if message.context else msgid


def _missing(catalog) -> list:
    return [
        m
        for m in catalog
        if m.id and (m.fuzzy or not (all(m.string) if isinstance(m.string, tuple) else m.string))
    ]


def main(argv: list[str]) -> int:
    with PO.open("rb") as file:
        catalog = read_po(file)
    if argv[:1] == ["--missing"]:
        for message in _missing(catalog):
            print(
                json.dumps(
                    message.id if not message.context else f"{message.context}\x04{message.id}",
                    ensure_ascii=False,
                )
            )
        return 0
    wanted = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    done = 0
    for message in catalog:
        if message.id and _key(message) in wanted:
            message.string = wanted[_key(message)]
            message.flags.discard("fuzzy")
            done += 1
    with PO.open("wb") as file:
        write_po(file, catalog, width=76, sort_output=True, no_location=True)
    print(f"{done} translations set; {len(_missing(catalog))} still missing")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
