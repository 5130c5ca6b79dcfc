"""Text as full-text search sees it: tokens, stems, and the reader's query.

PostgreSQL stems with its own text search configurations (plume_english, plume_french:
unaccent, then the Snowball stemmer). SQLite's FTS5 has no French stemmer, so Plume stems
the same way (fold, then Snowball) on the way in: each document's text is stored beside
its stems, one stem per token in the same order, and FTS5 indexes the stems while reading
the original text (its external content) for snippet(). Because the token positions
agree, snippet() marks the original words: "musées" is indexed as "muse", found by "musée"
(also "muse"), shown as "musées".

The tokenizer here must cut text exactly where FTS5's `unicode61 remove_diacritics 2`
does (letters, numbers, private-use characters and combining marks are token characters,
everything else separates); tests/services/test_search_text.py holds them together.
The query language is websearch_to_tsquery's: words (all of them), "a phrase", `or`, and
-word or -"a phrase" to exclude; the same parse is written as an FTS5 query for SQLite.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import Stemmer

# Apostrophes and quotes people type for the same thing, and the characters the snippets
# use to mark a match (a user's text must not carry them).
APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
# ʼ (a modifier letter) is a letter to both tokenizers: "lʼhomme" would be one word.
STORED = str.maketrans({"\u02bc": "\u2019", "\ue000": None, "\ue001": None})
MARK_START, MARK_END = "\ue000", "\ue001"
LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})
STEMMERS = {"en": "english", "fr": "french"}
MAX_QUERY_CHARS = 200


# PostgreSQL's stop words (tsearch_data/english.stop and french.stop, from Snowball):
# dropped from a SQLite query as PostgreSQL drops them, so both find the same things.
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOP_WORDS = {
    "en": _words(
        """
        a about above after again against all am an and any are as at be because been before
        being below between both but by can did do does doing don down during each few for from
        further had has have having he her here hers herself him himself his how i if in into is
        it its itself just me more most my myself no nor not now of off on once only or other
        our ours ourselves out over own s same she should so some such t than that the their
        theirs them themselves then there these they this those through to too under until up
        very was we were what when where which while who whom why will with you your yours
        yourself yourselves
        """
    ),
    "fr": _words(
        """
        ai aie aient aies ait as au aura aurai auraient aurais aurait auras aurez auriez aurions
        aurons auront aux avaient avais avait avec avez aviez avions avons ayant ayante ayantes
        ayants ayez ayons c ce ces d dans de des du elle en es est et eu eue eues eurent eus
        eusse eussent eusses eussiez eussions eut eux eûmes eût eûtes furent fus fusse fussent
        fusses fussiez fussions fut fûmes fût fûtes il j je l la le leur lui m ma mais me mes
        moi mon même n ne nos notre nous on ont ou par pas pour qu que qui s sa se sera serai
        seraient serais serait seras serez seriez serions serons seront ses soient sois soit
        sommes son sont soyez soyons suis sur t ta te tes toi ton tu un une vos votre vous y à
        étaient étais était étant étante étantes étants étiez étions été étée étées étés êtes
        """
    ),
}


# Beyond letters and numbers (`[^\W_]`), FTS5 counts private-use characters and, when it
# removes diacritics, combining marks as part of a word.
_PRIVATE_USE = "\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"


@lru_cache(maxsize=1)
def _token_pattern() -> re.Pattern:
    """Runs of token characters (the combining marks are gathered once from unicodedata)."""
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


def tokens(text: str) -> list[str]:
    """The words of a text, where FTS5's unicode61 tokenizer cuts them."""
    return _token_pattern().findall(text)


def stored_text(text: str | None) -> str:
    """A text as the search index stores and shows it."""
    return (text or "").translate(STORED)


def fold(word: str) -> str:
    """Lower case without diacritics or ligatures: "Été" -> "ete", "œuvre" -> "oeuvre"."""
    decomposed = unicodedata.normalize("NFKD", word.lower().translate(LIGATURES))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@lru_cache(maxsize=4)
def _stemmer(language: str):
    return Stemmer.Stemmer(STEMMERS.get(language, "english"))


@lru_cache(maxsize=4096)  # a query's words again at each search, and each page of it
def stem(word: str, language: str) -> str:
    """One token's index term: folded, then stemmed in the paper's language, as
    PostgreSQL's unaccent then Snowball do ("musées", "musée" and "musees" all give
    "muse"). Always one token, never empty."""
    folded = fold(word)
    term = _stemmer(language).stemWord(folded)
    if not term or len(tokens(term)) != 1 or tokens(term)[0] != term:
        term = folded
    if not term or len(tokens(term)) != 1 or tokens(term)[0] != term:
        term = "x"
    return term


def terms(text: str | None, language: str) -> str:
    """The stems of a text, one per token in the same order, separated by spaces."""
    stemmer = _stemmer(language)
    # A section's text says the same words again and again: each is folded and stemmed once
    # (a save re-indexes its section's whole text, and this was most of it).
    seen: dict[str, str] = {}
    out = []
    for word in tokens(text or ""):
        term = seen.get(word)
        if term is None:
            term = stemmer.stemWord(fold(word))
            # A stem is a run of letters or digits; anything odd falls back to a safe spelling.
            if not term.isalnum() or not term.isascii():
                term = stem(word, language)
            seen[word] = term
        out.append(term)
    return " ".join(out)


# --- the reader's query ------------------------------------------------------------------


@dataclass
class Clause:
    """Words that must all be there (each a phrase of one or more words), and words that
    must not."""

    required: list[list[str]] = field(default_factory=list)
    excluded: list[list[str]] = field(default_factory=list)


@dataclass
class Query:
    """A parsed query: clauses joined by OR."""

    text: str
    clauses: list[Clause]

    @property
    def empty(self) -> bool:
        return not any(clause.required for clause in self.clauses)

    def words(self) -> list[str]:
        """Every required word, for a reader's "you searched for"."""
        return [w for c in self.clauses for phrase in c.required for w in phrase]


_PART = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def normalise_query(text: str) -> str:
    return " ".join((text or "").translate(APOSTROPHES).translate(STORED).split())[:MAX_QUERY_CHARS]


def parse(text: str) -> Query:
    """Words, "phrases", `or` and -exclusions, as websearch_to_tsquery reads them."""
    text = normalise_query(text)
    clauses = [Clause()]
    for match in _PART.finditer(text):
        negate, quoted, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None and bare.lower() == "or":
            if clauses[-1].required or clauses[-1].excluded:
                clauses.append(Clause())
            continue
        if bare is not None and bare.startswith("-") and len(bare) > 1:
            negate, bare = "-", bare[1:]
        words = tokens(quoted if quoted is not None else bare)
        if not words:
            continue
        (clauses[-1].excluded if negate else clauses[-1].required).append(words)
    return Query(text, [clause for clause in clauses if clause.required or clause.excluded])


def fts5_match(query: Query, language: str) -> str | None:
    """The query in FTS5's syntax over the stems of `language`, or None when it asks for
    nothing (only stop words, or only exclusions)."""

    def phrase(words: list[str], *, drop_stop_words: bool) -> str | None:
        if drop_stop_words and len(words) == 1 and fold(words[0]) in _stop_words(language):
            return None
        return '"' + " ".join(stem(word, language) for word in words) + '"'

    alternatives = []
    for clause in query.clauses:
        required = [p for w in clause.required if (p := phrase(w, drop_stop_words=True))]
        if not required:
            continue
        expression = " AND ".join(required)
        excluded = [p for w in clause.excluded if (p := phrase(w, drop_stop_words=True))]
        if excluded:
            expression = f"({expression}) NOT ({' OR '.join(excluded)})"
        alternatives.append(f"({expression})")
    return " OR ".join(alternatives) or None


@lru_cache(maxsize=4)
def _stop_words(language: str) -> frozenset[str]:
    return frozenset(fold(word) for word in STOP_WORDS.get(language, STOP_WORDS["en"]))
