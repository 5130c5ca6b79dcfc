"""Find a quoted passage in a section's text, as annotation tools do: the one rule that
re-anchoring, new comments, the Word export's comments and the pages all use.

A comment quotes its passage as a W3C Web Annotation TextQuoteSelector: the exact text,
a little text before it (prefix) and after it (suffix). When the section is revised, the
passage is looked for in the new text:

1. every verbatim occurrence of the quote is a candidate;
2. if there is none, diff-match-patch's fuzzy matcher proposes the closest passage, which is
   kept only if it differs from the quote by a small share of its characters;
3. candidates are scored as Hypothesis scores them: the quote weighs most, then the prefix
   and the suffix, and the old position only breaks ties.

A passage that is gone yields None: the caller marks the comment orphaned.

Re-anchoring after a save costs what the edit costs, not comments × text: `Edit` diffs the
two texts once; a passage that no change touched moves by the length of what was inserted
or deleted before it (no search at all); a touched one is looked for verbatim, then fuzzily
only within a window around where it was, and only where text was inserted.

`best_occurrence` and `source_passage` choose between repeated occurrences by how much of
the prefix and suffix fit (the Word export, and a passage copied from the page, whose words
are looked for in the Markdown with its markup in between).
"""

from __future__ import annotations

import re
from bisect import bisect_right
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


def map_position(old_text: str, new_text: str, position: int) -> int:
    """Where a position of the old text falls in the new one."""
    return Edit(old_text, new_text).map(position)


class Edit:
    """One save's change, diffed once: old offsets to new ones, and what the change touched.

    The diff runs line by line first, then character by character within the changed
    lines (diff-match-patch's line mode), within a time limit: past it the diff is coarser,
    which only means more passages count as touched and are looked for again.
    """

    DIFF_SECONDS = 0.2

    def __init__(self, old_text: str, new_text: str):
        self.old_text, self.new_text = old_text, new_text
        dmp = _matcher()
        dmp.Diff_Timeout = self.DIFF_SECONDS
        # Runs of unchanged text: (start in the old text, start in the new text, length).
        self.equal: list[tuple[int, int, int]] = []
        old = new = 0
        for op, chunk in dmp.diff_main(old_text, new_text, True):
            if op == dmp.DIFF_EQUAL:
                self.equal.append((old, new, len(chunk)))
                old += len(chunk)
                new += len(chunk)
            elif op == dmp.DIFF_DELETE:
                old += len(chunk)
            else:
                new += len(chunk)
        self._old_starts = [run[0] for run in self.equal]
        self._new_starts = [run[1] for run in self.equal]

    def _run(self, starts: list[int], position: int) -> int:
        """The index of the last run starting at or before `position` (-1 if none)."""
        return bisect_right(starts, position) - 1

    def run_of(self, start: int, end: int) -> tuple[int, int, int] | None:
        """The unchanged run (old start, new start, length) that holds the whole passage
        old_text[start:end], or None if a change touched it."""
        index = self._run(self._old_starts, start)
        if index < 0:
            return None
        old, _new, length = run = self.equal[index]
        return run if end <= old + length else None

    def shift(self, start: int, end: int) -> int | None:
        """How far the passage old_text[start:end] moved, if no change touched it (None)."""
        run = self.run_of(start, end)
        return None if run is None else run[1] - run[0]

    def map(self, position: int) -> int:
        """Where an old position falls in the new text (in deleted text: where it was cut)."""
        index = self._run(self._old_starts, position)
        if index < 0:
            return 0
        old, new, length = self.equal[index]
        return new + min(position - old, length)

    def unchanged(self, start: int, end: int) -> bool:
        """Whether new_text[start:end] holds no inserted text (deletions may lie within)."""
        position = start
        index = self._run(self._new_starts, position)
        while position < end:
            if index < 0 or index >= len(self.equal):
                return False
            _old, new, length = self.equal[index]
            if not new <= position < new + length:
                return False
            position = new + length
            index += 1
        return True


def relocate(edit: Edit, quote: Quote, start: int, end: int) -> Anchor | None:
    """Where a passage that was old_text[start:end] is in the edit's new text, or None.

    Untouched, it has only moved; touched, it is looked for verbatim anywhere (a moved
    paragraph), then fuzzily within a window around its old place, and only if the edit
    inserted text there: text that was already beside it is not the passage.
    """
    shift = edit.shift(start, end)
    if shift is not None:
        return Anchor(start + shift, end + shift, edit.old_text[start:end] == quote.exact)
    text = edit.new_text
    hint = edit.map(start)
    candidates = [
        Anchor(found, found + len(quote.exact), True) for found in _occurrences(text, quote.exact)
    ]
    if candidates:
        return max(candidates, key=lambda anchor: _score(text, quote, anchor, hint))
    reach = len(quote.exact) + max(len(quote.prefix), len(quote.suffix)) + 64
    low, high = max(0, hint - reach), min(len(text), edit.map(end) + reach)
    if edit.unchanged(low, high):
        return None
    found = locate(text[low:high], quote, hint=hint - low)
    return Anchor(found.start + low, found.end + low, found.exact) if found else None


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


# --- choosing between repeated occurrences by their context -----------------------------


def context_fit(before: str, after: str, prefix: str, suffix: str) -> int:
    """How many characters of the prefix end `before` and of the suffix start `after`."""
    return _common_suffix(before, prefix) + _common_prefix(after, suffix)


def best_occurrence(text: str, exact: str, prefix: str = "", suffix: str = ""):
    """The verbatim occurrence of `exact` in `text` that its prefix and suffix fit best, as
    (start, end), or None."""
    best, best_score = None, -1
    for start in _occurrences(text, exact) if exact else ():
        end = start + len(exact)
        score = context_fit(
            text[max(0, start - len(prefix)) : start], text[end : end + len(suffix)], prefix, suffix
        )
        if score > best_score:
            best, best_score = (start, end), score
    return best


def _common_suffix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


# --- a passage copied from the page, found in the Markdown -------------------------------


# What may stand between two words of a passage in the Markdown but not on the page: white
# space, emphasis, a blockquote's `>`, a heading's `#`, a link's brackets and address, a
# list item's marker, an inline tag.
_GAP = (
    r"(?:\s|[*_`~>#\[\]]|\]\([^)\s]*(?:\s+\"[^\"]*\")?\)|<[^<>]*>"
    r"|\n[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t])+"
)
_INSIDE_WORD = r"(?:[*_`~\[\]]|\]\([^)\s]*(?:\s+\"[^\"]*\")?\)|<[^<>\s][^<>]*>)*"
_ENTITIES = {"&": "(?:&|&amp;)", "<": "(?:<|&lt;)", ">": "(?:>|&gt;)"}
_SPACE = re.compile(r"\s+")
_MARKUP_CHARS = re.compile(r"[*_`~>#\[\]]")
MAX_QUOTE_WORDS = 800


def _char_pattern(char: str) -> str:
    if char in _ENTITIES:
        return _ENTITIES[char]
    # Punctuation may be escaped in the Markdown (`\*` shows as `*`).
    return re.escape(char) if char.isalnum() else r"\\?" + re.escape(char)


def _readable(text: str) -> str:
    return _SPACE.sub(" ", _MARKUP_CHARS.sub("", text)).strip()


def source_passage(source: str, exact: str, prefix: str = "", suffix: str = ""):
    """Where a passage copied from the page is in the Markdown: (start, end), or None.

    The page shows the text without its markup, so the same words are looked for with
    only white space and Markdown markup between them; the prefix and suffix choose
    between repeated passages, as the comment's anchoring does.
    """
    words = exact.split()
    if not words or len(words) > MAX_QUOTE_WORDS:
        return None
    pattern = re.compile(
        _GAP.join(_INSIDE_WORD.join(_char_pattern(char) for char in word) for word in words)
    )
    want_before, want_after = _readable(prefix), _readable(suffix)
    reach_before, reach_after = 2 * len(prefix) + 40, 2 * len(suffix) + 40
    best, best_score = None, -1
    for match in pattern.finditer(source):
        before = _readable(source[max(0, match.start() - reach_before) : match.start()])
        after = _readable(source[match.end() : match.end() + reach_after])
        score = context_fit(before, after, want_before, want_after)
        if score > best_score:
            best, best_score = (match.start(), match.end()), score
    return best
