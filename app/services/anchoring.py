"""Find a quoted passage in a section's text, as annotation tools do.

A comment quotes its passage as a W3C Web Annotation TextQuoteSelector: the exact text,
a little text before it (prefix) and after it (suffix). When the section is revised, the
passage is looked for in the new text:

1. every verbatim occurrence of the quote is a candidate;
2. if there is none, diff-match-patch's fuzzy matcher proposes the closest passage, which is
   kept only if it differs from the quote by a small share of its characters;
3. candidates are scored as Hypothesis scores them: the quote weighs most, then the prefix
   and the suffix, and the old position only breaks ties.

A passage that is gone yields None: the caller marks the comment orphaned.
"""

from __future__ import annotations

from dataclasses import dataclass

from diff_match_patch import diff_match_patch

# Hypothesis's weights (client/src/annotator/anchoring/match-quote.ts).
QUOTE_WEIGHT, PREFIX_WEIGHT, SUFFIX_WEIGHT, POSITION_WEIGHT = 50, 20, 20, 2
# A fuzzy passage may differ from the quote by at most this share of the quote's length:
# a word or two in a sentence, not a different sentence.
MAX_ERROR_RATIO = 0.25
# When moving a fuzzy passage's edges, a character of the passage counts this many times
# a character of its prefix or suffix.
QUOTE_OVER_CONTEXT = 4
# diff-match-patch's bitap matcher works on patterns of at most this many characters.
_BITS = 32
# A no-break space (French typography puts one before : ; ! ? and inside « ») reads as a
# space, and whoever types or copies a passage writes a plain one: the two match. One
# character for one, so positions in the folded text are positions in the text.
_SPACES = str.maketrans(dict.fromkeys("\u00a0\u2007\u202f", " "))


@dataclass(frozen=True)
class Quote:
    exact: str
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True)
class Anchor:
    """The passage is `text[start:end]`; `exact` is False when it was found fuzzily."""

    start: int
    end: int
    exact: bool


def _matcher() -> diff_match_patch:
    dmp = diff_match_patch()
    # Loose enough to propose a passage with a changed word; the error ratio decides.
    dmp.Match_Threshold = 0.5
    # Distance from the hint barely counts: a passage may move anywhere in the text.
    dmp.Match_Distance = 1_000_000
    dmp.Diff_Timeout = 0.5
    return dmp


def locate(text: str, quote: Quote, *, hint: int | None = None) -> Anchor | None:
    """Where the quote is in `text`, or None if its passage is gone.

    `hint` is where the passage was (or is expected to be); it only breaks ties.
    """
    if not quote.exact:
        return None
    text = text.translate(_SPACES)
    quote = Quote(*(part.translate(_SPACES) for part in (quote.exact, quote.prefix, quote.suffix)))
    hint = len(text) // 2 if hint is None else max(0, min(hint, len(text)))
    candidates = [
        Anchor(start, start + len(quote.exact), True) for start in _occurrences(text, quote.exact)
    ]
    if not candidates:
        fuzzy = _fuzzy(text, quote, hint)
        candidates = [fuzzy] if fuzzy else []
    if not candidates:
        return None
    return max(candidates, key=lambda anchor: _score(text, quote, anchor, hint))


def position_map(old_text: str, new_text: str):
    """A function taking a position in the old text to where it falls in the new one (a
    hint for `locate`). The diff is made once, however many positions are mapped."""
    dmp = _matcher()
    diffs = dmp.diff_main(old_text, new_text)
    return lambda position: dmp.diff_xIndex(diffs, position)


def map_position(old_text: str, new_text: str, position: int) -> int:
    return position_map(old_text, new_text)(position)


def _occurrences(text: str, exact: str):
    start = text.find(exact)
    while start != -1:
        yield start
        start = text.find(exact, start + 1)


def _fuzzy(text: str, quote: Quote, hint: int) -> Anchor | None:
    """The closest passage to the quote, if it is close enough."""
    exact = quote.exact
    dmp = _matcher()
    if len(exact) <= _BITS:
        start = dmp.match_main(text, exact, hint)
        if start == -1:
            return None
        end = start + len(exact)
    else:
        # Long quotes: find their head and their tail, as Hypothesis did with this library.
        head, tail = exact[:_BITS], exact[-_BITS:]
        start = dmp.match_main(text, head, hint)
        tail_hint = (start if start != -1 else hint) + len(exact) - _BITS
        tail_start = dmp.match_main(text, tail, max(0, min(tail_hint, len(text))))
        if start == -1 and tail_start == -1:
            return None
        if start == -1:
            start = max(0, tail_start + _BITS - len(exact))
        end = tail_start + _BITS if tail_start != -1 else start + len(exact)
        if end <= start:
            return None
    start, end = _refine(text, quote, start, end)
    if _errors(exact, text[start:end]) > MAX_ERROR_RATIO * len(exact):
        return None
    return Anchor(start, end, False)


def _refine(text: str, quote: Quote, start: int, end: int) -> tuple[int, int]:
    """Move a rough span's edges to where the passage really starts and ends.

    The matcher places the quote's first and last characters where they fit best, which
    is mid-word when the passage's first or last word changed. Each edge moves, in turn,
    to the nearby word edge where the span and the text around it are closest to the
    quote, its prefix and its suffix (the quote weighing most): nobody means a passage
    that starts inside a word.
    """
    exact = quote.exact
    radius = max(8, len(exact) // 4)

    def cost(i: int, j: int) -> int:
        before = text[max(0, i - len(quote.prefix)) : i]
        after = text[j : j + len(quote.suffix)]
        return (
            QUOTE_OVER_CONTEXT * _errors(exact, text[i:j])
            + _errors(quote.prefix, before)
            + _errors(quote.suffix, after)
        )

    starts = _edges(text, start, radius, exact[0], opening=True) or {start}
    start = min(starts, key=lambda i: (cost(i, end), abs(i - start)))
    ends = {j for j in _edges(text, end, radius, exact[-1], opening=False) if j > start}
    end = min(ends or {end}, key=lambda j: (cost(start, j), abs(j - end)))
    return start, end


def _edges(text: str, around: int, radius: int, char: str, *, opening: bool) -> set[int]:
    """Where a passage could start (`opening`) or end near `around`: at a word's edge when
    the quote starts or ends with a letter or digit, else where that same sign is."""
    word = char.isalnum()

    def fits(c: str) -> bool:
        return c.isalnum() if word else c == char

    def outside(c: str) -> bool:
        return not word or not c.isalnum()

    found = set()
    for i in range(max(0, around - radius), min(len(text), around + radius) + 1):
        if opening:
            if i < len(text) and fits(text[i]) and (i == 0 or outside(text[i - 1])):
                found.add(i)
        elif i > 0 and fits(text[i - 1]) and (i == len(text) or outside(text[i])):
            found.add(i)
    return found


def _errors(a: str, b: str) -> int:
    dmp = _matcher()
    return dmp.diff_levenshtein(dmp.diff_main(a, b, False))


def _similarity(a: str, b: str) -> float:
    if not a:
        return 1.0
    return max(0.0, 1 - _errors(a, b) / len(a))


def _score(text: str, quote: Quote, anchor: Anchor, hint: int) -> float:
    found = text[anchor.start : anchor.end]
    before = text[max(0, anchor.start - len(quote.prefix)) : anchor.start]
    after = text[anchor.end : anchor.end + len(quote.suffix)]
    position = 1 - abs(anchor.start - hint) / max(len(text), 1)
    return (
        QUOTE_WEIGHT * _similarity(quote.exact, found)
        + PREFIX_WEIGHT * _similarity(quote.prefix, before)
        + SUFFIX_WEIGHT * _similarity(quote.suffix, after)
        + POSITION_WEIGHT * position
    ) / (QUOTE_WEIGHT + PREFIX_WEIGHT + SUFFIX_WEIGHT + POSITION_WEIGHT)
