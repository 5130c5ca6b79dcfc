"""The path from assignment to a signed-off export, in the browser, in English and French.

A coordinator signs in and assigns a section; the author writes a revision; a reviewer
selects a passage of the rendered section with the mouse and comments on it with a
proposed replacement; the author accepts the suggestion, which becomes the text; the
coordinator freezes a version; the signatories approve; the coordinator downloads the DOCX.
Each step uses the page's own links, forms and buttons, as a person would, and checks what
the page then says.
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

# What the key pages say, in each language: the test reads the page as a person would.
WORDS = {
    "en": {
        "manage": "Manage",
        "save_assignment": "Save assignment",
        "assigned": "assignment saved",
        "edit": "Edit the text",
        "preview": "Preview",
        "save": "Save a new revision",
        "saved": "Revision 2 saved",
        "versions": "Versions and sign-off",
        "freeze": "Freeze",
        "frozen": "is frozen",
        "awaiting": "Versions awaiting my signature",
        "record": "Record my position",
        "approve": "Approve",
        "signed_off": "Signed off",
        "no_record": "No record",
        "my_sections": "Sections I lead",
        "export": "Export",
        "word": "Word document",
        "download": "Download",
        "ready": "ready to download",
        "comment_here": "Comment on this passage",
        "send_comment": "Send the comment",
        "comment_saved": "saved",
        "to_resolve": "Comments awaiting my resolution",
        "resolve": "Resolve",
        "apply": "Apply the suggestion",
        "applied": "The suggestion is applied: revision 3",
    },
    "fr": {
        "manage": "Gérer",
        "save_assignment": "Enregistrer l’attribution",
        "assigned": "attribution enregistrée",
        "edit": "Modifier le texte",
        "preview": "Aperçu",
        "save": "Enregistrer une nouvelle révision",
        "saved": "Révision 2 enregistrée",
        "versions": "Versions et validation",
        "freeze": "Figer",
        "frozen": "est figée",
        "awaiting": "Versions en attente de ma signature",
        "record": "Enregistrer ma position",
        "approve": "Approbation",
        "signed_off": "Validée",
        "no_record": "Aucune position",
        "my_sections": "Mes sections",
        "export": "Exporter",
        "word": "Document Word",
        "download": "Télécharger",
        "ready": "prêt à télécharger",
        "comment_here": "Commenter ce passage",
        "send_comment": "Envoyer le commentaire",
        "comment_saved": "enregistré",
        "to_resolve": "Commentaires en attente de ma décision",
        "resolve": "Traiter",
        "apply": "Appliquer la proposition",
        "applied": "La proposition est appliquée : révision 3",
    },
}
NEW_TEXT = (
    "Museums use machine learning to describe large collections, which makes "
    "them easier to search.\n\nThe descriptions must stay under curatorial review."
)
PASSAGE = "describe large collections"
PROPOSAL = "describe and index large collections"


def select_with_the_mouse(page, selector: str, words: str) -> None:
    """Press the mouse on the first letter of `words` in the element, release it on the last."""
    page.locator(selector).scroll_into_view_if_needed()
    box = page.evaluate(
        """([selector, words]) => {
          const walker = document.createTreeWalker(
            document.querySelector(selector), NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const at = node.nodeValue.indexOf(words);
            if (at < 0) continue;
            const range = document.createRange();
            range.setStart(node, at);
            range.setEnd(node, at + 1);
            const first = range.getBoundingClientRect();
            range.setStart(node, at + words.length - 1);
            range.setEnd(node, at + words.length);
            const last = range.getBoundingClientRect();
            return {x1: first.left + 1, y1: first.top + first.height / 2,
                    x2: last.right - 1, y2: last.top + last.height / 2};
          }
          return null;
        }""",
        [selector, words],
    )
    assert box, f"{words!r} is not in {selector}"
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move(box["x2"], box["y2"], steps=8)
    page.mouse.up()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_from_assignment_to_sign_off(live, open_as, language):
    words = WORDS[language]
    _paper_id, emails, names = live.paper()
    shots = live.screenshots

    # The coordinator signs in and assigns section 3.4 to the author, due on 1 March 2027.
    coordinator = open_as(emails["coordinator"], language=language)
    coordinator.get_by_role("link", name=re.compile("Artificial intelligence and culture")).click()
    row = coordinator.locator("tr", has=coordinator.get_by_role("rowheader", name="Museums"))
    row.get_by_text(words["manage"]).click()
    lead = row.get_by_label(re.compile("Lead author|Auteur"))
    lead.select_option(label=f"{names['author']} (CLT)")
    row.get_by_label(re.compile("Due date|Échéance")).fill("2027-03-01")
    row.get_by_role("button", name=words["save_assignment"]).click()
    assert words["assigned"] in coordinator.locator(".flashes").inner_text()
    row = coordinator.locator("tr", has=coordinator.get_by_role("rowheader", name="Museums"))
    assert names["author"] in row.inner_text()
    coordinator.screenshot(path=shots / f"overview-{language}.png", full_page=False)

    # The author finds the section in their queue and writes a revision, with a preview.
    author = open_as(emails["author"], language=language)
    queue = author.locator("section", has=author.get_by_role("heading", name=words["my_sections"]))
    queue.get_by_role("link", name=re.compile("Museums")).click()
    author.get_by_role("link", name=words["edit"]).click()
    author.locator("#body").fill(NEW_TEXT)
    author.locator("#summary").fill("Describe collections")
    author.get_by_role("button", name=words["preview"]).click()
    assert "curatorial review" in author.locator(".preview").inner_text()
    author.screenshot(path=shots / f"editor-{language}.png", full_page=False)
    author.get_by_role("button", name=words["save"]).click()
    assert words["saved"] in author.locator(".flashes").inner_text()
    assert "machine learning" in author.locator("#section-text").inner_text()
    author.screenshot(path=shots / f"section-{language}.png", full_page=False)

    # A reviewer finds the section, selects a passage with the mouse and comments on it,
    # proposing a replacement. The selection fills the quote: nothing is typed there.
    reviewer = open_as(emails["reviewer"], language=language)
    paper_link = re.compile("Artificial intelligence and culture")
    reviewer.get_by_role("link", name=paper_link).first.click()
    reviewer.get_by_role("rowheader", name="Museums").get_by_role("link").click()
    select_with_the_mouse(reviewer, "#section-text", PASSAGE)
    reviewer.get_by_role("button", name=words["comment_here"]).click()
    assert reviewer.locator("#quote_exact").input_value() == PASSAGE
    assert reviewer.evaluate("document.activeElement.id") == "comment-body"
    reviewer.keyboard.type("Say what the descriptions are for.")
    reviewer.locator("#proposed_text").fill(PROPOSAL)
    reviewer.get_by_role("button", name=words["send_comment"]).click()
    assert words["comment_saved"] in reviewer.locator(".flashes").inner_text()
    assert reviewer.locator("#section-text mark.quote").inner_text() == PASSAGE
    reviewer.screenshot(path=shots / f"comment-{language}.png", full_page=False)

    # The author finds the comment in their queue and accepts the suggestion, applying it.
    author.goto(f"{live.url}/")
    waiting = author.locator("section", has=author.get_by_role("heading", name=words["to_resolve"]))
    waiting.get_by_role("link").first.click()
    comment = author.locator("article.comment").first
    comment.locator("summary", has_text=words["resolve"]).click()
    comment.locator("select[name=decision]").select_option("accepted")
    comment.get_by_label(re.compile(words["apply"])).check()
    comment.get_by_role("button", name=words["resolve"]).click()
    assert words["applied"] in author.locator(".flashes").inner_text()
    assert PROPOSAL in author.locator("#section-text").inner_text()
    assert not author.locator("#section-text mark.quote").count()  # resolved: no longer marked
    author.screenshot(path=shots / f"resolved-{language}.png", full_page=False)

    # The coordinator freezes a version for signature: the template's sections are not
    # approved, so the page lists what stands in the way; a written reason overrides it.
    coordinator.get_by_role("link", name=words["versions"]).click()
    coordinator.get_by_label(re.compile("Label|Libellé")).fill("v1.0")
    coordinator.locator("input[name=purpose][value=signature]").check()
    coordinator.get_by_role("button", name=words["freeze"], exact=True).click()
    assert coordinator.locator("#freeze-error ul.blockers li").count() > 1
    assert coordinator.get_by_label(re.compile("Label|Libellé")).input_value() == "v1.0"
    coordinator.locator("#override_reason").fill("Signed for the test before the reviews.")
    coordinator.get_by_role("button", name=words["freeze"], exact=True).click()
    assert words["frozen"] in coordinator.locator(".flashes").inner_text()
    ballot = coordinator.locator("table.ballot")
    assert ballot.inner_text().count(words["no_record"]) == 2
    version_url = coordinator.url

    # Each signatory finds the version in their queue, reads it and approves.
    for key in ("signatory", "signatory2"):
        signatory = open_as(emails[key], language=language)
        waiting = signatory.locator(
            "section", has=signatory.get_by_role("heading", name=words["awaiting"])
        )
        waiting.get_by_role("link", name="v1.0").click()
        assert "machine learning" in signatory.locator(".frozen-text").inner_text()
        signatory.get_by_label(words["approve"], exact=True).check()
        signatory.get_by_role("button", name=words["record"]).click()
        assert words["approve"] in signatory.locator("table.ballot").inner_text()

    coordinator.goto(version_url)
    header = coordinator.locator(".version-header").inner_text()
    assert words["signed_off"] in header
    assert words["no_record"] not in coordinator.locator("table.ballot").inner_text()
    coordinator.screenshot(path=shots / f"version-{language}.png")

    # The coordinator exports the signed-off version to Word and downloads it.
    coordinator.get_by_label(re.compile("^Format")).select_option(label=words["word"])
    coordinator.get_by_role("button", name=words["export"], exact=True).click()
    # The worker makes it; the page follows its progress until it is ready.
    coordinator.locator(".export-job.status-ready, .export-job.status-failed").wait_for(
        timeout=120_000
    )
    job = coordinator.locator(".export-job").inner_text()
    assert words["ready"] in job, job
    with coordinator.expect_download() as download_info:
        coordinator.locator(".export-list").get_by_role("link", name=words["download"]).click()
    download = download_info.value
    assert download.suggested_filename.endswith("-v1.0.docx")  # signed off: no -draft
    saved = shots / f"paper-{language}.docx"
    download.save_as(saved)
    assert saved.read_bytes()[:2] == b"PK"
