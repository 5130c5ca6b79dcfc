"""The alignment pages: the matrix as a coloured grid with its legend and counts, the
coverage report, a cell's decisions and their history, the decision form, the frameworks,
and the position decisions."""

from __future__ import annotations

import re

import pytest

from app.db import session
from app.models import Comment, Role
from app.services import alignment, position_decisions, revisions
from app.services import sections as section_service
from tests.web.helpers import Page, csrf_token, page


@pytest.fixture
def paper(paper):
    """The web tests' paper (its author leads section 3), its sections by number."""
    coordinator = paper.people[Role.COORDINATOR]
    paper.by_number = {
        row.number: row.section for row in section_service.list_sections(paper.id, coordinator)
    }
    return paper


def _decide(paper, number, code, status, rationale="Because.", *, by=Role.COORDINATOR, **kw):
    return alignment.record_section_decision(
        paper.by_number[number],
        paper.people[by],
        item_code=code,
        status=status,
        rationale=rationale,
        **kw,
    )


def _cell(html: str, key: str) -> tuple[str, str]:
    """The class and the visible inner HTML of the grid cell `section id:item code`."""
    match = re.search(rf'<td class="([^"]*)" data-cell="{re.escape(key)}">(.*?)</td>', html, re.S)
    assert match, f"no cell {key}"
    return match.group(1), match.group(2)


def _block(html: str, element_id: str) -> str:
    """The HTML of the element with that id, up to the end of its <section>."""
    start = html.index(f'id="{element_id}"')
    return html[start : html.index("</section>", start)]


def _alignment_page(client, paper, query: str = "") -> str:
    response = client.get(f"/papers/{paper.id}/alignment{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


@pytest.fixture
def decided(paper):
    """A few decisions: 3.4 partly aligned on P7 (with its passage), 4.3 in conflict with P3,
    section 3 first aligned then a gap on V3, and the whole paper aligned on PA7."""
    _decide(
        paper,
        "3.4",
        "REC2021.P7",
        "partial",
        "Explains automated descriptions, not how visitors are told.",
        quote={"exact": "transcribe handwritten records", "prefix": "collections, "},
    )
    _decide(paper, "4.3", "REC2021.P3", "conflict", "Section 4.3 argues bias is acceptable.")
    _decide(paper, "3", "REC2021.V3", "aligned", "Says it.")
    _decide(paper, "3", "REC2021.V3", "gap", "On second reading, it does not.")
    alignment.record_paper_decision(
        paper,
        paper.people[Role.COORDINATOR],
        item_code="REC2021.PA7",
        status="aligned",
        rationale="The whole paper is about culture.",
    )
    return paper


# The matrix


def test_the_grid_colours_each_cell_by_its_current_status(client, sign_in, decided):
    paper = decided
    sign_in(paper.people[Role.OBSERVER])
    html = _alignment_page(client, paper)
    museums, bias, ai = (paper.by_number[n].id for n in ("3.4", "4.3", "3"))

    css, inner = _cell(html, f"{museums}:REC2021.P7")
    assert css.split() == ["cell", "cell-partial", "cell-expected"]  # 3.4's template expects P7
    assert '<span aria-hidden="true">P</span>' in inner
    assert "REC2021.P7: Partly aligned (expected by the template)" in Page(inner).text
    assert f'href="/sections/{museums}/alignment/REC2021.P7"' in inner
    assert _cell(html, f"{bias}:REC2021.P3")[0].split() == [
        "cell",
        "cell-conflict",
        "cell-expected",
    ]
    assert "REC2021.P3: Conflict" in Page(_cell(html, f"{bias}:REC2021.P3")[1]).text
    # The newest decision on a cell is the one the grid shows.
    css, inner = _cell(html, f"{ai}:REC2021.V3")
    assert css.split() == ["cell", "cell-gap", "cell-expected"]
    assert '<span aria-hidden="true">G</span>' in inner
    assert _cell(html, "paper:REC2021.PA7")[0].split() == ["cell", "cell-aligned"]
    css, inner = _cell(html, f"{paper.by_number['1'].id}:REC2021.P7")
    assert css.split() == ["cell", "cell-none"]
    assert "REC2021.P7: No decision" in Page(inner).text

    parsed = Page(html)
    rows = parsed.find("th", scope="row")
    assert len(rows) == len(paper.by_number) + 1 + 6  # the whole paper, and 6 count rows
    items = parsed.find("th", scope="col", class_="item-head")
    assert len(items) == 25 + 8 + 1  # REC2021, CONV2005 and the position decisions column
    assert parsed.find("abbr", title="Transparency and explainability")
    assert "3.4 Museums and cultural institutions" in parsed.text


def test_the_legend_names_every_status_with_its_count(client, sign_in, decided):
    paper = decided
    sign_in(paper.people[Role.OBSERVER])
    html = _alignment_page(client, paper)
    legend = Page(html[html.index('id="legend"') : html.index('class="matrix-wrap"')]).text
    cells = (len(paper.by_number) + 1) * (25 + 8)
    for words in [
        "A Aligned 1",
        "P Partly aligned 1",
        "G Gap 1",
        "C Conflict 1",
        "NA Not applicable 0",
        f"– No decision {cells - 4}",
    ]:
        assert words in legend
    assert "Legend" in legend
    # Counts per item, under each column.
    assert re.search(r'data-count="partial:REC2021.P7">1<', html)
    assert re.search(r'data-count="aligned:REC2021.PA7">1<', html)
    assert re.search(r'data-count="aligned:REC2021.P7">0<', html)
    none = len(paper.by_number)  # every section and the whole paper but the one decided
    assert re.search(rf'data-count="none:REC2021.P7">{none}<', html)


def test_the_grid_shows_one_framework_when_asked(client, sign_in, decided):
    paper = decided
    sign_in(paper.people[Role.OBSERVER])
    html = _alignment_page(client, paper)
    options = [o["value"] for o in Page(html).find("option") if "value" in o]
    assert options == ["all", "CONV2005@2005", "REC2021@2021"]
    only = _alignment_page(client, paper, "?framework=CONV2005")
    assert 'data-cell="paper:CONV2005.GP1"' in only
    assert "REC2021.P7" not in only
    assert client.get(f"/papers/{paper.id}/alignment?framework=OECD").status_code == 422


def test_the_alignment_tab_is_in_the_paper_s_layout(client, sign_in, paper):
    sign_in(paper.people[Role.REVIEWER])
    tabs = page(client.get(f"/papers/{paper.id}")).find("a", href=f"/papers/{paper.id}/alignment")
    assert tabs
    html = _alignment_page(client, paper)
    assert f'href="/papers/{paper.id}/alignment" aria-current="page"' in html


def test_a_non_member_sees_no_alignment(client, sign_in, paper, create_user):
    sign_in(create_user())
    assert client.get(f"/papers/{paper.id}/alignment").status_code == 404
    museums = paper.by_number["3.4"]
    assert client.get(f"/sections/{museums.id}/alignment/REC2021.P7").status_code == 404


# The coverage report


def test_the_coverage_report_lists_what_falls_short(client, sign_in, decided):
    paper = decided
    sign_in(paper.people[Role.OBSERVER])
    html = _alignment_page(client, paper)
    unaddressed = _block(html, "unaddressed")
    assert 'data-item="REC2021.P3"' in unaddressed  # a conflict addresses nothing
    assert 'data-item="REC2021.V3"' in unaddressed  # a gap neither
    assert 'data-item="REC2021.P7"' not in unaddressed
    assert 'data-item="REC2021.PA7"' not in unaddressed
    assert 'data-item="CONV2005.GP1"' in unaddressed

    conflicts = Page(_block(html, "conflicts")).text
    assert "Conflicts 1" in conflicts
    assert "4.3 Bias in AI algorithms × REC2021.P3" in conflicts
    assert "Section 4.3 argues bias is acceptable." in conflicts

    undecided = _block(html, "undecided")
    assert f'data-section="{paper.by_number["1"].id}"' in undecided
    for number in ("3", "3.4", "4.3"):
        assert f'data-section="{paper.by_number[number].id}"' not in undecided

    expected = _block(html, "expected-missing")
    museums = paper.by_number["3.4"]
    line = expected.split(f'data-section="{museums.id}"')[1].split("</li>")[0]
    assert [code for code in re.findall(r">(REC2021\.\w+|CONV2005\.\w+)<", line)] == [
        "REC2021.PA7",
        "REC2021.P9",
    ]
    assert f'href="/sections/{museums.id}/alignment/REC2021.P9"' in line


# A cell and its history


def test_a_cell_shows_its_decisions_oldest_first(client, sign_in, paper, db):
    museums = paper.by_number["3.4"]
    reviewer = paper.people[Role.REVIEWER]
    comment = Comment(
        section_id=museums.id,
        revision_id=revisions.latest(museums.id).id,
        author_id=reviewer.id,
        sector_id=reviewer.sector_id,
        type="alignment",
        item_code="REC2021.P7",
        body="Say how visitors learn that a description was generated.",
    )
    session.add(comment)
    session.flush()
    first = _decide(paper, "3.4", "REC2021.P7", "gap", "Silent on it.")
    second = _decide(
        paper,
        "3.4",
        "REC2021.P7",
        "partial",
        "Mentioned in passing.",
        quote={"exact": "transcribe handwritten records", "prefix": "collections, "},
    )
    third = _decide(paper, "3.4", "REC2021.P7", "aligned", "Covered now.", comment_ids=[comment.id])
    _decide(paper, "3.4", "REC2021.P9", "conflict", "Another item, another cell.")

    sign_in(paper.people[Role.OBSERVER])
    response = client.get(f"/sections/{museums.id}/alignment/REC2021.P7")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    parsed = Page(html)
    entries = [e for e in parsed.find("li") if e.get("id", "").startswith("decision-")]
    assert [(e["id"], e["class"], e["data-status"]) for e in entries] == [
        (f"decision-{first.id}", "decision-entry superseded", "gap"),
        (f"decision-{second.id}", "decision-entry superseded", "partial"),
        (f"decision-{third.id}", "decision-entry current", "aligned"),
    ]
    text = parsed.text
    assert text.index("Silent on it.") < text.index("Mentioned in passing.")
    assert text.index("Mentioned in passing.") < text.index("Covered now.", text.index("History"))
    assert "Another item, another cell." not in text
    assert "Current decision A Aligned" in text
    coordinator = paper.people[Role.COORDINATOR]
    assert text.count(f"{coordinator.name} (CLT)") >= 3
    history = html[html.index('id="history"') :]
    assert "<mark>transcribe handwritten records</mark>" in history
    assert "Passage it rests on: …collections, transcribe handwritten records" in Page(history).text
    assert f'href="/sections/{museums.id}#comment-{comment.id}"' in history
    assert "The section's template expects it to address this item." in text
    assert "Museums and cultural institutions" in text and "Transparency and explainability" in text


def test_a_cell_on_an_item_outside_the_paper_s_frameworks_is_refused(client, sign_in, paper):
    sign_in(paper.people[Role.OBSERVER])
    museums = paper.by_number["3.4"]
    assert client.get(f"/sections/{museums.id}/alignment/NOPE.X1").status_code == 422


# Recording a decision


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.AUTHOR])
def test_the_coordinator_and_the_lead_author_record_a_decision(client, sign_in, paper, db, role):
    section = paper.section  # section 3, led by the paper's author
    url = f"/sections/{section.id}/alignment/REC2021.V3"
    sign_in(paper.people[role])
    form = page(client.get(url)).find("form", action=url)
    assert form and form[0]["method"] == "post"
    excerpt = revisions.latest(section.id).body.split(".")[0]
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "status": "partial",
            "rationale": "Names diversity,\r\nbut not inclusiveness.",
            "quote_exact": excerpt,
            "quote_prefix": "",
            "quote_suffix": "",
            "comment_ids": "",
        },
    )
    assert response.status_code == 302
    decision = alignment.current_decision(paper.id, section.id, _item_id(paper, "REC2021.V3"))
    assert (decision.status, decision.rationale) == (
        "partial",
        "Names diversity,\nbut not inclusiveness.",
    )
    assert decision.quote_exact == excerpt
    assert decision.decided_by_id == paper.people[role].id
    shown = client.get(response.headers["Location"])
    text = page(shown).text
    assert "Decision recorded: 3 × REC2021.V3 is now “Partly aligned”." in text
    assert "Current decision P Partly aligned" in text
    css, _inner = _cell(_alignment_page(client, paper), f"{section.id}:REC2021.V3")
    assert "cell-partial" in css.split()


def _item_id(paper, code: str) -> int:
    return alignment.paper_item(paper, code).id


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.OBSERVER, Role.SIGNATORY])
def test_others_see_no_form_and_their_decision_is_refused(client, sign_in, paper, post, role):
    section = paper.section
    url = f"/sections/{section.id}/alignment/REC2021.V3"
    sign_in(paper.people[role])
    parsed = page(client.get(url))
    assert not parsed.find("form", action=url)
    assert not parsed.find("select", name="status")
    response = post(url, {"status": "aligned", "rationale": "I say so."})
    assert response.status_code == 403
    assert "You may not do this" in page(response).text
    assert alignment.decision_history(paper, section) == []


def test_an_author_who_does_not_lead_the_section_gets_no_form(client, sign_in, paper, post):
    museums = paper.by_number["3.4"]  # nobody leads it
    url = f"/sections/{museums.id}/alignment/REC2021.P7"
    sign_in(paper.people[Role.AUTHOR])
    assert not page(client.get(url)).find("form", action=url)
    assert post(url, {"status": "aligned", "rationale": "Mine."}).status_code == 403
    assert alignment.decision_history(paper, museums) == []


def test_a_decision_without_the_csrf_token_is_refused(client, sign_in, paper):
    section = paper.section
    sign_in(paper.people[Role.COORDINATOR])
    response = client.post(
        f"/sections/{section.id}/alignment/REC2021.V3",
        data={"status": "aligned", "rationale": "No token."},
    )
    assert response.status_code == 400
    assert alignment.decision_history(paper, section) == []


@pytest.mark.parametrize(
    ("fields", "status", "says"),
    [
        ({"quote_exact": "words that are not in the text"}, 422, "not in the section"),
        ({"status": "mostly"}, 400, "unknown status"),
        ({"rationale": "   "}, 400, "needs a rationale"),
        ({"comment_ids": "12, twelve"}, 400, "Comment numbers must be numbers"),
        ({"comment_ids": "123456789"}, 422, "not comments on this paper"),
    ],
)
def test_a_refused_decision_keeps_what_was_typed(
    client, sign_in, paper, post, fields, status, says
):
    section = paper.section
    sign_in(paper.people[Role.COORDINATOR])
    data = {"status": "gap", "rationale": "My careful reasoning.", **fields}
    response = post(f"/sections/{section.id}/alignment/REC2021.V3", data)
    assert response.status_code == status
    text = page(response).text
    assert says in text
    if fields.get("rationale") is None:
        assert ">My careful reasoning.</textarea>" in response.get_data(as_text=True)
    assert alignment.decision_history(paper, section) == []


def test_the_coordinator_decides_for_the_whole_paper(client, sign_in, paper, post):
    url = f"/papers/{paper.id}/alignment/whole-paper/REC2021.V3"
    sign_in(paper.people[Role.AUTHOR])
    assert not page(client.get(url)).find("form", action=url)
    assert post(url, {"status": "aligned", "rationale": "Mine."}).status_code == 403
    sign_in(paper.people[Role.COORDINATOR])
    parsed = page(client.get(url))
    assert parsed.find("form", action=url)
    assert not parsed.find("input", name="quote_exact")  # a whole-paper decision quotes nothing
    response = post(url, {"status": "aligned", "rationale": "Throughout the paper."})
    assert response.status_code == 302
    history = alignment.decision_history(paper)
    assert [(d.status, d.rationale) for d in history] == [("aligned", "Throughout the paper.")]
    assert "cell-aligned" in _cell(_alignment_page(client, paper), "paper:REC2021.V3")[0]


# The frameworks


def test_the_coordinator_chooses_the_frameworks(client, sign_in, paper, post, db):
    sign_in(paper.people[Role.AUTHOR])
    html = _alignment_page(client, paper)
    assert f'action="/papers/{paper.id}/frameworks"' not in html
    assert post(f"/papers/{paper.id}/frameworks", {"frameworks": "REC2021@2021"}).status_code == 403

    sign_in(paper.people[Role.COORDINATOR])
    html = _alignment_page(client, paper)
    assert f'action="/papers/{paper.id}/frameworks"' in html
    response = post(f"/papers/{paper.id}/frameworks", {"frameworks": "REC2021@2021"})
    assert response.status_code == 302
    db.expire_all()
    assert [f.code for f in paper.frameworks] == ["REC2021"]
    html = _alignment_page(client, paper)
    assert "CONV2005.GP1" not in html.split('id="matrix"')[1].split("</table>")[0]
    assert not Page(html).find("select", name="framework")  # one framework: nothing to pick


# Position decisions


POSITION = {
    "question": "How far should the paper endorse text-and-data-mining exceptions?",
    "options": "Endorse broad exceptions\r\nEndorse with an opt-out\r\n\r\nStay silent",
    "decision": "Endorse exceptions with an opt-out for rights holders.",
    "rationale": "CLT and legal affairs agreed creators need a say; SHS accepted.",
}


def test_the_coordinator_records_a_position_decision(client, sign_in, paper, post):
    ip = paper.by_number["4.5"]
    url = f"/papers/{paper.id}/position-decisions"
    sign_in(paper.people[Role.COORDINATOR])
    form = page(client.get(url)).find("form", action=url)
    assert form
    response = client.post(
        url,
        data={
            **POSITION,
            "sectors": ["CLT", "SHS"],
            "section_id": str(ip.id),
            "comment_ids": "",
            "csrf_token": csrf_token(client, url),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    [recorded] = position_decisions.list_position_decisions(paper)
    assert recorded.options == [
        "Endorse broad exceptions",
        "Endorse with an opt-out",
        "Stay silent",
    ]
    assert [s.code for s in recorded.sectors] == ["CLT", "SHS"]
    assert recorded.section_id == ip.id
    assert response.headers["Location"].endswith(f"#position-{recorded.id}")

    sign_in(paper.people[Role.OBSERVER])
    listed = page(client.get(url))
    text = listed.text
    assert POSITION["question"] in text
    assert "Options considered Endorse broad exceptions Endorse with an opt-out Stay silent" in text
    assert f"Decision {POSITION['decision']}" in text
    assert "Sectors consulted CLT SHS" in text
    assert "About section 4.5" in text
    assert not listed.find("form", action=url)  # an observer records nothing
    # The alignment page shows it too, and counts it on the section's row.
    html = _alignment_page(client, paper)
    assert POSITION["question"] in Page(_block(html, "positions")).text
    row = html.split(f'id="row-{ip.id}"')[1].split("</tr>")[0]
    assert f'href="/papers/{paper.id}/position-decisions?section={ip.id}">1<' in row
    about = page(client.get(f"{url}?section={ip.id}")).text
    assert POSITION["question"] in about
    other = page(client.get(f"{url}?section={paper.section.id}")).text
    assert POSITION["question"] not in other


@pytest.mark.parametrize("role", [Role.AUTHOR, Role.REVIEWER, Role.OBSERVER])
def test_only_the_coordinator_records_position_decisions(client, sign_in, paper, post, role):
    sign_in(paper.people[role])
    url = f"/papers/{paper.id}/position-decisions"
    response = post(url, {**POSITION, "sectors": "CLT"})
    assert response.status_code == 403
    assert position_decisions.list_position_decisions(paper) == []


def test_a_refused_position_decision_keeps_what_was_typed(client, sign_in, paper, post):
    sign_in(paper.people[Role.COORDINATOR])
    url = f"/papers/{paper.id}/position-decisions"
    response = post(url, {**POSITION})  # no sector ticked
    assert response.status_code == 400
    assert "Name the sectors that were consulted." in page(response).text
    assert f">{POSITION['question']}</textarea>" in response.get_data(as_text=True)
    assert client.post(url, data={**POSITION, "sectors": "CLT"}).status_code == 400  # no token
    assert position_decisions.list_position_decisions(paper) == []


# In French


def test_the_alignment_pages_speak_french(client, sign_in, decided):
    paper = decided
    sign_in(paper.people[Role.OBSERVER], language="fr")
    html = _alignment_page(client, paper)
    text = Page(html).text
    for words in (
        "Alignement",
        "Matrice de traçabilité",
        "Légende",
        "Partiellement aligné",
        "Lacune",
        "Sans objet",
        "Aucune décision",
        "Rapport de couverture",
        "Éléments qu’aucune section ne traite",
        "Décisions de position",
    ):
        assert words in text, words
    for english in ("Legend", "Partly aligned", "Coverage report", "No decision"):
        assert english not in text, english
    css, inner = _cell(html, f"{paper.by_number['3'].id}:REC2021.V3")
    assert "cell-gap" in css.split()
    assert '<span aria-hidden="true">L</span>' in inner  # « lacune »
    museums = paper.by_number["3.4"]
    cell = page(client.get(f"/sections/{museums.id}/alignment/REC2021.P7")).text
    assert "Décision en vigueur" in cell and "Historique" in cell
    assert "Transparence et explicabilité" in cell
    positions = page(client.get(f"/papers/{paper.id}/position-decisions")).text
    assert "Aucune décision de position n’a encore été consignée." in positions
