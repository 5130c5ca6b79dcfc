"""the search index holds text as its page shows it: Markdown's markup goes

Each search document's body is re-stored without its markup (emphasis, link addresses,
heading marks, bullets, HTML tags...), so snippets read "bold" rather than "**bold**" and a
search never finds an address; on SQLite its stems are recomputed and the triggers put
them in the FTS5 table, on PostgreSQL the generated tsvector follows. The text functions
below are a frozen copy of app/text/plain.py and app/services/search_text.py (migrations
never import the app).

Revision ID: search_plain_text
Revises: comments_fillfactor
Create Date: 2026-11-30
"""

import re
import unicodedata

import sqlalchemy as sa
import Stemmer
from alembic import op

revision = "search_plain_text"
down_revision = "comments_fillfactor"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    pattern, stemmers = _token_pattern(), {}
    changed = []
    for row in bind.execute(sa.text("SELECT id, language, body FROM search_documents")):
        body = _plain_text(row.body)
        if body != row.body:
            changed.append(
                {
                    "id": row.id,
                    "body": body,
                    "terms": _terms(body, row.language, pattern, stemmers) if sqlite else None,
                }
            )
    update = sa.text(
        "UPDATE search_documents SET body = :body"
        + (", body_terms = :terms" if sqlite else "")
        + " WHERE id = :id"
    )
    for start in range(0, len(changed), 1000):
        bind.execute(update, changed[start : start + 1000])


def downgrade() -> None:
    # Nothing to restore: the Markdown is still in the records the documents are made of,
    # and the older code searched plain text as well as it did Markdown.
    pass


# --- frozen copies ---------------------------------------------------------------------

_PRIVATE_USE = "\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})
_STEMMERS = {"en": "english", "fr": "french"}


def _token_pattern() -> re.Pattern:
    marks = [
        code
        for code in [*range(0x20000), *range(0xE0000, 0xE0200)]
        if unicodedata.category(chr(code)) == "Mn"
    ]
    ranges, start = [], marks[0]
    for previous, code in zip(marks, [*marks[1:], None], strict=True):
        if code != previous + 1:
            ranges.append((start, previous))
            start = code
    members = "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )
    return re.compile(f"(?:[^\\W_]|[{members}{_PRIVATE_USE}])+")


def _fold(word: str) -> str:
    """Lower case without diacritics or ligatures: "Été" -> "ete", "œuvre" -> "oeuvre"."""
    decomposed = unicodedata.normalize("NFKD", word.lower().translate(_LIGATURES))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _terms(text: str, language: str, pattern: re.Pattern, stemmers: dict) -> str:
    stemmer = stemmers.setdefault(language, Stemmer.Stemmer(_STEMMERS.get(language, "english")))
    out = []
    for word in pattern.findall(text):
        folded = _fold(word)
        term = stemmer.stemWord(folded)
        if not term.isalnum() or not term.isascii() or pattern.fullmatch(term) is None:
            term = folded
            if not term or pattern.fullmatch(term) is None:
                term = "x"
        out.append(term)
    return " ".join(out)


# A link's or image's text and address are bounded, as the page's renderer bounds them
# (app/web/render.py LINK_REACH): a run of unclosed brackets then costs linear time.
_REACH = 1000
_IMAGE_OR_LINK = re.compile(
    rf"!?\[([^\[\]\n]{{0,{_REACH}}})\]"
    rf"(?:\((?:<[^<>\n]{{0,{_REACH}}}>|[^()\s]{{0,{_REACH}}})(?:\s+\"[^\"\n]{{0,{_REACH}}}\")?\s*\)"
    rf"|\[[^\[\]\n]{{0,{_REACH}}}\])?"
)
_AUTOLINK = re.compile(r"<((?:[A-Za-z][A-Za-z0-9+.\-]{1,31}:|[^<>\s@]+@)[^<>\s]*)>")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9\-]*(?:\s[^<>]*)?/?>|<!--.{0,2000}?-->", re.DOTALL)
_REFERENCE = re.compile(r"^ {0,3}\[[^\]\n]+\]:[^\n]*$", re.MULTILINE)
_FENCE = re.compile(r"^ {0,3}(?:`{3,}|~{3,})[^\n]*$", re.MULTILINE)
_RULE = re.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$", re.MULTILINE)
_TABLE_RULE = re.compile(
    r"^ {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)+\|?[ \t]*$", re.MULTILINE
)
# Heading marks, blockquote marks and bullets at the start of a line (in any order a nested
# list in a quote writes them).
_LINE_MARKS = re.compile(r"^(?:[ \t]*(?:#{1,6}(?=[ \t]|$)|>|[-*+](?=[ \t])))+[ \t]*", re.MULTILINE)
_CLOSING_HASHES = re.compile(r"[ \t]+#+[ \t]*$", re.MULTILINE)
# Emphasis and strike-through: `*` and `~~` wherever they are; `_` only at a word's edge
# (snake_case keeps its underscores, as CommonMark reads it).
_EMPHASIS = re.compile(r"\*+|~~+|(?<!\w)_+|_+(?!\w)")
_CODE = re.compile(r"`+")
_ESCAPE = re.compile(r"\\([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")
_PIPE = re.compile(r"[ \t]*\|[ \t]*")
_SPACES = re.compile(r"[ \t]{2,}")
_LINE_EDGES = re.compile(r"^[ \t]+|[ \t]+$", re.MULTILINE)
# Whether any rule above may apply: most comments hold no markup at all.
_MAY_HOLD_MARKUP = re.compile(r"[*_\[\]<>`~|\\#]|^[ \t]*[-+]", re.MULTILINE)
# Where escaped ASCII punctuation waits (private use, which no one types).
_SET_ASIDE = 0xE100
_PUT_BACK = {_SET_ASIDE + code: code for code in range(128)}


def _plain_text(markdown: str | None) -> str:
    """The words of a Markdown text, as its page shows them, one paragraph a line block."""
    text = markdown or ""
    if not text:
        return ""
    if _MAY_HOLD_MARKUP.search(text) is None:
        return _LINE_EDGES.sub("", _SPACES.sub(" ", text)).strip()
    # Escaped characters are text: each is set aside as a private-use character of its
    # own, so no rule below takes it for markup, and put back at the end.
    text = _ESCAPE.sub(lambda match: chr(_SET_ASIDE + ord(match.group(1))), text)
    text = _REFERENCE.sub("", text)
    text = _FENCE.sub("", text)
    text = _TABLE_RULE.sub("", text)
    text = _RULE.sub("", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _TAG.sub("", text)
    text = _IMAGE_OR_LINK.sub(r"\1", text)
    text = _LINE_MARKS.sub("", text)
    text = _CLOSING_HASHES.sub("", text)
    text = _EMPHASIS.sub("", text)
    text = _CODE.sub("", text)
    text = _PIPE.sub(" ", text)
    text = _LINE_EDGES.sub("", _SPACES.sub(" ", text))
    return text.translate(_PUT_BACK).strip()
