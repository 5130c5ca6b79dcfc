"""Finding a quoted passage again after real edits, in English and in French."""

from __future__ import annotations

import pytest

from app.text.passages import Quote, locate, map_position

FRENCH = (
    "Les musées numérisent leurs collections depuis vingt ans.\n\n"
    "L’IA « générative » pose des questions d’authenticité pour le patrimoine immatériel "
    "des communautés, qui doivent rester maîtresses de leurs récits.\n\n"
    "Les archives sonores restent fragiles."
)
PASSAGE = "pose des questions d’authenticité pour le patrimoine immatériel"
QUOTE = Quote(PASSAGE, prefix="L’IA « générative » ", suffix=" des communautés")


def quote_in(text: str, exact: str, context: int = 20) -> Quote:
    start = text.index(exact)
    return Quote(exact, text[max(0, start - context) : start], text[start + len(exact) :][:context])


def test_an_unchanged_passage_is_found_exactly():
    anchor = locate(FRENCH, QUOTE)
    assert anchor.exact
    assert FRENCH[anchor.start : anchor.end] == PASSAGE


def test_a_passage_moved_to_another_paragraph_is_found_where_it_went():
    paragraphs = FRENCH.split("\n\n")
    moved = "\n\n".join([paragraphs[2], paragraphs[0], paragraphs[1]])
    anchor = locate(moved, QUOTE, hint=FRENCH.index(PASSAGE))
    assert anchor.exact
    assert anchor.start == moved.index(PASSAGE)
    assert moved[anchor.start : anchor.end] == PASSAGE


def test_text_inserted_before_the_passage_shifts_it():
    edited = "Un nouveau paragraphe d’introduction, « entre guillemets ».\n\n" + FRENCH
    anchor = locate(edited, QUOTE, hint=FRENCH.index(PASSAGE))
    assert (anchor.start, anchor.end) == (
        edited.index(PASSAGE),
        edited.index(PASSAGE) + len(PASSAGE),
    )


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("questions d’authenticité", "questions sérieuses d’authenticité"),  # a word added
        ("pose des", "soulève des"),  # the first word changed
        ("immatériel", "vivant"),  # the last word changed
        ("le patrimoine", "l’héritage"),  # two words become one, with an apostrophe
    ],
)
def test_a_passage_changed_by_a_word_stays_anchored_on_the_whole_new_passage(old, new):
    changed_passage = PASSAGE.replace(old, new)
    edited = FRENCH.replace(PASSAGE, changed_passage)
    anchor = locate(edited, QUOTE, hint=FRENCH.index(PASSAGE))
    assert anchor is not None
    assert not anchor.exact
    assert edited[anchor.start : anchor.end] == changed_passage


def test_a_deleted_passage_is_not_found():
    paragraphs = FRENCH.split("\n\n")
    edited = "\n\n".join([paragraphs[0], "Un tout autre propos sur la musique.", paragraphs[2]])
    assert locate(edited, QUOTE) is None


def test_a_rewritten_sentence_is_not_mistaken_for_the_passage():
    edited = FRENCH.replace(PASSAGE, "interroge l’origine des œuvres et la place des artistes")
    assert locate(edited, QUOTE) is None


def test_prefix_and_suffix_choose_between_repeated_passages():
    text = "Le musée conserve. La bibliothèque prête. Le musée conserve. Les archives gardent."
    second = Quote("Le musée conserve", prefix="bibliothèque prête. ", suffix=". Les archives")
    anchor = locate(text, second)
    assert anchor.start == text.rindex("Le musée conserve")


def test_the_old_position_only_breaks_ties():
    text = "alpha beta. alpha beta. alpha beta."
    quote = Quote("alpha beta")
    assert locate(text, quote, hint=12).start == 12
    assert locate(text, quote, hint=30).start == 24
    # Context outweighs position: the suffix points at the last one whatever the hint.
    with_context = Quote("alpha beta", suffix=".")
    assert locate("alpha beta, alpha beta.", with_context, hint=0).start == 12


def test_a_long_passage_with_a_changed_word_is_found():
    sentence = (
        "Les institutions culturelles devraient adopter des politiques d’IA fondées sur "
        "les droits humains, la diversité des expressions culturelles et la transparence."
    )
    text = "Préambule.\n\n" + sentence + "\n\nConclusion."
    edited = "Préambule modifié.\n\n" + sentence.replace("devraient", "doivent") + "\n\nFin."
    anchor = locate(edited, quote_in(text, sentence), hint=text.index(sentence))
    assert edited[anchor.start : anchor.end] == sentence.replace("devraient", "doivent")


def test_map_position_follows_an_insertion():
    old = "abc def ghi"
    new = "xyz abc def ghi"
    assert map_position(old, new, old.index("def")) == new.index("def")


def test_a_quote_typed_with_plain_spaces_is_found_in_french_typography():
    # French typography: no-break spaces before « : » and « ; », narrow ones inside « ».
    text = (
        "Les stéréotypes de genre sont une autre source de préoccupation\u00a0: des "
        "recherches montrent qu’ils associent les professions à un seul genre\u202f; "
        "un «\u202fplat national\u202f» devient une caricature."
    )
    for typed in ("préoccupation : des recherches", "genre ; un « plat national »"):
        anchor = locate(text, Quote(typed, prefix="source de ", suffix=""))
        assert anchor is not None and anchor.exact, typed
        assert (
            text[anchor.start : anchor.end].replace("\u00a0", " ").replace("\u202f", " ") == typed
        )
    assert locate(text, Quote("préoccupation: des recherches")).exact is False
