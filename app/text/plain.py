"""A Markdown text as a reader sees it, without its markup: what full-text search stores,
ranks and quotes in its snippets ("**bold**" is shown "bold", "[the report](https://…)"
is "the report").

Regular expressions rather than a Markdown parser: the index is kept in step at flush time,
on every write, so the cost must stay linear in the text whatever it holds (a link's text
and address are bounded, as on the page). What a reader does not see goes: emphasis,
strike-through and code marks, link addresses, images' addresses (their alt text stays),
HTML tags, heading marks, blockquote marks, bullets, table rules and fences. An ordered
list's numbers stay: the page shows them.
"""

from __future__ import annotations

import re

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


def plain_text(markdown: str | None) -> str:
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
