"""Alignment decisions, the traceability matrix, the coverage report, the export annex and
position decisions, on a paper built in the test with known decisions."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, insert, select

from app.db import session, utcnow
from app.models import (
    Activity,
    AlignmentDecision,
    Comment,
    Framework,
    FrameworkItem,
    Paper,
    Role,
    Section,
)
from app.models.immutability import ImmutableRecordError
from app.services import alignment, position_decisions, reference, revisions
from app.services.errors import BadInput, Forbidden, Invalid

OECD_FILE = Path(__file__).resolve().parent.parent / "data" / "frameworks" / "oecd-ai-2024.yaml"
OECD_ITEMS = [f"OECD-AI.1.{n}" for n in range(1, 6)] + [f"OECD-AI.2.{n}" for n in range(1, 6)]


@pytest.fixture
def oecd(db):
    framework, _ = reference.load_framework_file(OECD_FILE)
    return framework


def add_sections(paper: Paper, specs) -> dict[str, Section]:
    """Sections from (number, title, expected items), in document order."""
    made: dict[str, Section] = {}
    for position, (number, title, expected) in enumerate(specs):
        section = Section(
            paper_id=paper.id,
            parent_id=made[number.rpartition(".")[0]].id if "." in number else None,
            position=position,
            number=number,
            title_en=title,
            title_fr=f"{title} (fr)",
            expected_items=expected,
        )
        session.add(section)
        session.flush()
        made[number] = section
    return made


@pytest.fixture
def built(create_paper, oecd):
    """A blank paper checked against the OECD test framework, with four sections."""
    paper = create_paper(blank=True)
    alignment.choose_frameworks(paper, paper.people[Role.COORDINATOR], ["OECD-AI"])
    paper.sections = add_sections(
        paper,
        [
            ("1", "Introduction", ["OECD-AI.1.1", "OECD-AI.1.4"]),
            ("2", "Heritage", ["OECD-AI.1.2", "OECD-AI.1.3"]),
            ("2.1", "Museums", ["OECD-AI.1.3"]),
            # REC2021 is not among this paper's frameworks: the report leaves it out.
            ("3", "Rights", ["OECD-AI.1.5", "REC2021.P7"]),
        ],
    )
    return paper


def decide(paper, number, item, status, *, actor=None, **extra):
    actor = actor or paper.people[Role.COORDINATOR]
    rationale = extra.pop("rationale", f"{number} is {status} on {item}")
    if number is None:
        return alignment.record_paper_decision(
            paper, actor, item_code=item, status=status, rationale=rationale, **extra
        )
    return alignment.record_section_decision(
        paper.sections[number], actor, item_code=item, status=status, rationale=rationale, **extra
    )


@pytest.fixture
def decided(built):
    """The built paper with known decisions; two cells were decided twice."""
    decide(built, "1", "OECD-AI.1.1", "aligned")
    decide(built, "2", "OECD-AI.1.2", "partial")
    decide(built, "2", "OECD-AI.1.3", "conflict")
    decide(built, "3", "OECD-AI.1.1", "gap")
    decide(built, "3", "OECD-AI.1.1", "conflict")
    decide(built, "3", "OECD-AI.1.5", "not_applicable")
    decide(built, None, "OECD-AI.2.1", "partial")
    decide(built, None, "OECD-AI.2.1", "aligned")
    return built


def comment_on(section: Section, author, *, item_code=None) -> Comment:
    revision = revisions.latest(section.id) or revisions.save_revision(
        section, author, body="Some text.\n", base_revision_id=None, check_access=False
    )
    comment = Comment(
        section_id=section.id,
        revision_id=revision.id,
        author_id=author.id,
        sector_id=author.sector_id,
        type="alignment",
        body=f"Does this meet {item_code}?",
        item_code=item_code,
    )
    session.add(comment)
    session.flush()
    return comment


# --- decisions and their history -------------------------------------------------------


def test_three_decisions_on_a_cell_leave_one_current_and_three_in_order(built):
    first = decide(built, "2", "OECD-AI.1.3", "gap", rationale="Transparency is not discussed.")
    second = decide(built, "2", "OECD-AI.1.3", "partial", rationale="Now mentioned in passing.")
    third = decide(built, "2", "OECD-AI.1.3", "aligned", rationale="Paragraph 3 covers it.")
    decide(built, "2", "OECD-AI.1.2", "gap")  # another cell of the same section

    history = alignment.decision_history(built, built.sections["2"], item_code="OECD-AI.1.3")
    assert [(e.id, e.status, e.rationale, e.current, e.superseded_by) for e in history] == [
        (first.id, "gap", "Transparency is not discussed.", False, second.id),
        (second.id, "partial", "Now mentioned in passing.", False, third.id),
        (third.id, "aligned", "Paragraph 3 covers it.", True, None),
    ]
    everything = alignment.decision_history(built, built.sections["2"])
    assert [e.item.code for e in everything] == ["OECD-AI.1.3"] * 3 + ["OECD-AI.1.2"]
    assert [e.current for e in everything] == [False, False, True, True]
    matrix = alignment.alignment_matrix(built)
    assert matrix.rows[1].cells["OECD-AI.1.3"] == "aligned"


def test_whole_paper_decisions_have_their_own_history(built):
    decide(built, None, "OECD-AI.2.5", "gap")
    decide(built, "1", "OECD-AI.2.5", "aligned")
    history = alignment.decision_history(built)
    assert [(e.section_id, e.status, e.current) for e in history] == [(None, "gap", True)]


def test_a_decision_is_logged_with_the_one_it_supersedes(built):
    first = decide(built, "1", "OECD-AI.1.3", "gap")
    second = decide(built, "1", "OECD-AI.1.3", "aligned")
    entry = session.scalars(
        select(Activity).where(Activity.action == "alignment.decided").order_by(Activity.id)
    ).all()[-1]
    assert entry.target_id == second.id
    assert entry.actor_id == built.people[Role.COORDINATOR].id
    assert entry.before == {"decision_id": first.id, "status": "gap"}
    assert entry.after == {
        "decision_id": second.id,
        "section_id": built.sections["1"].id,
        "item": "OECD-AI.1.3",
        "status": "aligned",
        "comment_ids": [],
    }


def test_a_decision_is_never_updated(built):
    entry = decide(built, "1", "OECD-AI.1.3", "gap")
    entry.decision.status = "aligned"
    with pytest.raises(ImmutableRecordError):
        session.flush()


# --- who decides, on what ------------------------------------------------------------


def test_the_lead_author_decides_on_their_section_only(built):
    author = built.people[Role.AUTHOR]
    built.sections["1"].lead_author_id = author.id
    entry = decide(built, "1", "OECD-AI.1.1", "aligned", actor=author)
    assert entry.decided_by.id == author.id
    with pytest.raises(Forbidden, match="lead author"):
        decide(built, "2", "OECD-AI.1.1", "aligned", actor=author)
    with pytest.raises(Forbidden, match="Coordinator"):
        decide(built, None, "OECD-AI.1.1", "aligned", actor=author)


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.SIGNATORY, Role.OBSERVER])
def test_other_roles_do_not_decide(built, role):
    user = built.people[role]
    built.sections["1"].lead_author_id = user.id  # even when named lead by mistake
    with pytest.raises(Forbidden) as refused:
        decide(built, "1", "OECD-AI.1.1", "aligned", actor=user)
    assert refused.value.details["your_roles"] == [role]
    assert session.scalar(select(AlignmentDecision.id)) is None


def test_the_item_must_be_one_of_the_papers_frameworks(built):
    with pytest.raises(Invalid) as refused:
        decide(built, "1", "REC2021.P7", "aligned")
    assert "OECD-AI@2024" in refused.value.message
    assert refused.value.details["frameworks"] == ["OECD-AI@2024"]


@pytest.mark.parametrize(
    ("status", "rationale", "message"),
    [("aligned", "   ", "rationale"), ("mostly", "Fine.", "unknown status")],
)
def test_a_decision_needs_a_known_status_and_a_rationale(built, status, rationale, message):
    with pytest.raises(BadInput, match=message):
        decide(built, "1", "OECD-AI.1.1", status, rationale=rationale)


def test_a_quote_must_be_in_the_current_text(built):
    section = built.sections["2"]
    coordinator = built.people[Role.COORDINATOR]
    with pytest.raises(Invalid, match="no text yet"):
        decide(built, "2", "OECD-AI.1.3", "aligned", quote={"exact": "anything"})
    first = revisions.save_revision(
        section, coordinator, body="Models must explain their outputs.\n", base_revision_id=None
    )
    second = revisions.save_revision(
        section, coordinator, body="Curators review every output.\n", base_revision_id=first.id
    )
    with pytest.raises(Invalid, match="not in the section's current text"):
        decide(built, "2", "OECD-AI.1.3", "aligned", quote={"exact": "explain their outputs"})
    entry = decide(
        built,
        "2",
        "OECD-AI.1.3",
        "partial",
        quote={"exact": "review every output", "prefix": "Curators ", "suffix": "."},
    )
    assert (entry.quote_exact, entry.quote_prefix, entry.quote_suffix) == (
        "review every output",
        "Curators ",
        ".",
    )
    assert entry.revision_id == second.id


def test_the_comments_a_decision_answers_belong_to_the_paper(built, create_paper):
    reviewer = built.people[Role.REVIEWER]
    mine = comment_on(built.sections["2"], reviewer, item_code="OECD-AI.1.3")
    other_paper = create_paper()
    foreign = comment_on(
        session.scalars(select(Section).where(Section.paper_id == other_paper.id)).first(),
        other_paper.people[Role.REVIEWER],
    )
    with pytest.raises(Invalid) as refused:
        decide(built, "2", "OECD-AI.1.3", "gap", comment_ids=[mine.id, foreign.id, 999_999])
    assert refused.value.details == {"comment_ids": sorted([foreign.id, 999_999])}

    entry = decide(built, "2", "OECD-AI.1.3", "gap", comment_ids=[mine.id, mine.id])
    assert entry.comment_ids == [mine.id]
    history = alignment.decision_history(built, built.sections["2"])
    assert history[-1].comment_ids == [mine.id]


# --- the matrix and the coverage report ------------------------------------------------


def test_the_matrix_has_the_expected_cells_and_counts(decided):
    matrix = alignment.alignment_matrix(decided)
    assert [f.code for f in matrix.frameworks] == ["OECD-AI"]
    assert [item.code for item in matrix.items] == OECD_ITEMS
    empty = dict.fromkeys(OECD_ITEMS)
    assert matrix.whole_paper.section is None
    assert matrix.whole_paper.cells == {**empty, "OECD-AI.2.1": "aligned"}
    assert [(row.section.number, row.cells) for row in matrix.rows] == [
        ("1", {**empty, "OECD-AI.1.1": "aligned"}),
        ("2", {**empty, "OECD-AI.1.2": "partial", "OECD-AI.1.3": "conflict"}),
        ("2.1", empty),
        ("3", {**empty, "OECD-AI.1.1": "conflict", "OECD-AI.1.5": "not_applicable"}),
    ]
    # 5 rows (the whole paper and 4 sections) × 10 items = 50 cells, 6 of them decided.
    assert matrix.counts == {
        "aligned": 2,
        "partial": 1,
        "gap": 0,
        "conflict": 2,
        "not_applicable": 1,
        "none": 44,
    }
    assert matrix.item_counts["OECD-AI.1.1"] == {
        "aligned": 1,
        "partial": 0,
        "gap": 0,
        "conflict": 1,
        "not_applicable": 0,
        "none": 3,
    }
    assert matrix.item_counts["OECD-AI.2.4"]["none"] == 5


def test_the_coverage_report(decided):
    report = alignment.coverage_report(decided)
    assert [item.code for item in report.unaddressed_items] == [
        "OECD-AI.1.3",  # conflict only
        "OECD-AI.1.4",  # nothing
        "OECD-AI.1.5",  # not applicable only
        "OECD-AI.2.2",
        "OECD-AI.2.3",
        "OECD-AI.2.4",
        "OECD-AI.2.5",
    ]
    assert [
        (cell.section.number, cell.item.code, cell.decision.rationale) for cell in report.conflicts
    ] == [
        ("2", "OECD-AI.1.3", "2 is conflict on OECD-AI.1.3"),
        ("3", "OECD-AI.1.1", "3 is conflict on OECD-AI.1.1"),
    ]
    assert [s.number for s in report.sections_without_decisions] == ["2.1"]
    assert [
        (entry.section.number, [item.code for item in entry.items])
        for entry in report.expected_without_decision
    ] == [("1", ["OECD-AI.1.4"]), ("2.1", ["OECD-AI.1.3"])]


def test_a_whole_paper_conflict_is_reported_without_a_section(decided):
    decide(decided, None, "OECD-AI.1.4", "conflict", rationale="Section 5 contradicts it.")
    report = alignment.coverage_report(decided)
    assert [(c.section and c.section.number, c.item.code) for c in report.conflicts] == [
        (None, "OECD-AI.1.4"),
        ("2", "OECD-AI.1.3"),
        ("3", "OECD-AI.1.1"),
    ]


def test_the_matrix_follows_the_frameworks_the_paper_chooses(decided, oecd):
    coordinator = decided.people[Role.COORDINATOR]
    alignment.choose_frameworks(decided, coordinator, ["REC2021@2021", "OECD-AI@2024"])
    decide(decided, "2.1", "REC2021.P7", "gap")

    both = alignment.alignment_matrix(decided)
    assert [f.code for f in both.frameworks] == ["OECD-AI", "REC2021"]
    assert len(both.items) == 10 + 25
    assert both.rows[2].cells["REC2021.P7"] == "gap"
    only = alignment.alignment_matrix(decided, framework="REC2021")
    assert [item.code for item in only.items][:2] == ["REC2021.V1", "REC2021.V2"]
    assert only.counts["gap"] == 1
    assert alignment.alignment_matrix(decided, framework="REC2021@2021").items == only.items
    with pytest.raises(Invalid) as refused:
        alignment.alignment_matrix(decided, framework="CONV2005")
    assert refused.value.details == {"frameworks": ["OECD-AI@2024", "REC2021@2021"]}

    # Leaving a framework out hides its decisions from the matrix but keeps their history.
    alignment.choose_frameworks(decided, coordinator, ["REC2021"])
    matrix = alignment.alignment_matrix(decided)
    assert {item.code for item in matrix.items} == {
        i.code for i in reference.find_framework("REC2021").items
    }
    assert matrix.counts["gap"] == 1 and matrix.counts["aligned"] == 0
    assert len(alignment.decision_history(decided, decided.sections["3"])) == 3


def test_choosing_frameworks_refuses_two_versions_of_one_and_unknown_ones(built, oecd):
    coordinator = built.people[Role.COORDINATOR]
    second = Framework(code="OECD-AI", version="2019", title_en="Old", title_fr="Ancien")
    second.items = [
        FrameworkItem(code="OECD-AI.1.1", kind="principle", position=0, title_en="a", title_fr="a")
    ]
    session.add(second)
    session.flush()
    with pytest.raises(BadInput, match="one version of each framework: OECD-AI"):
        alignment.choose_frameworks(built, coordinator, ["OECD-AI@2019", "OECD-AI@2024"])
    with pytest.raises(BadInput, match="no framework “OECD-AI@2030”"):
        alignment.choose_frameworks(built, coordinator, ["OECD-AI@2030"])
    with pytest.raises(Forbidden):
        alignment.choose_frameworks(built, built.people[Role.AUTHOR], ["REC2021"])
    alignment.choose_frameworks(built, coordinator, ["OECD-AI@2019"])
    assert [(f.code, f.version) for f in built.frameworks] == [("OECD-AI", "2019")]
    logged = session.scalars(
        select(Activity).where(Activity.action == "paper.frameworks_changed")
    ).all()[-1]
    assert logged.before == {"frameworks": ["OECD-AI@2024"]}
    assert logged.after == {"frameworks": ["OECD-AI@2019"]}


def test_the_matrix_as_it_stood_at_a_moment(decided):
    then = utcnow()
    later = decide(decided, "2.1", "OECD-AI.1.3", "aligned")
    assert alignment.alignment_matrix(decided).rows[2].cells["OECD-AI.1.3"] == "aligned"
    past = alignment.alignment_matrix(decided, as_of=then)
    assert past.rows[2].cells["OECD-AI.1.3"] is None
    assert past.rows[3].cells["OECD-AI.1.1"] == "conflict"
    assert later.created_at > then
    before_all = alignment.alignment_matrix(decided, as_of=then - timedelta(days=1))
    assert before_all.counts["none"] == 50


# --- a constant number of statements -----------------------------------------------------


def _big_paper(create_paper, sections: int) -> int:
    """A paper checked against REC2021 (25 items), every cell decided twice, built in bulk."""
    paper = create_paper(blank=True)
    coordinator = paper.people[Role.COORDINATOR]
    alignment.choose_frameworks(paper, coordinator, ["REC2021"])
    session.execute(
        insert(Section),
        [
            {
                "paper_id": paper.id,
                "position": n,
                "number": str(n + 1),
                "title_en": f"Section {n + 1}",
                "expected_items": ["REC2021.P1"],
            }
            for n in range(sections)
        ],
    )
    section_ids = session.scalars(select(Section.id).where(Section.paper_id == paper.id)).all()
    item_ids = [item.id for item in reference.find_framework("REC2021").items]
    assert len(item_ids) == 25
    statuses = alignment.STATUSES
    session.execute(
        insert(AlignmentDecision),
        [
            {
                "paper_id": paper.id,
                "section_id": section_id,
                "item_id": item_id,
                "status": statuses[(s + i + round_) % len(statuses)],
                "rationale": "Bulk.",
                "decided_by_id": coordinator.id,
            }
            for round_ in range(2)
            for s, section_id in enumerate(section_ids)
            for i, item_id in enumerate(item_ids)
        ],
    )
    return paper.id


def _statements(connection, work):
    """What `work()` returns, and the SQL statements it sent."""
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(connection, "before_cursor_execute", count)
    try:
        return work(), seen
    finally:
        event.remove(connection, "before_cursor_execute", count)


def test_the_matrix_takes_as_many_statements_for_60_sections_as_for_6(app, create_paper):
    small, big = _big_paper(create_paper, 6), _big_paper(create_paper, 60)
    session.flush()
    session.expunge_all()
    connection = app.extensions["plume.bind"]
    counted = {}
    for paper_id, sections in ((small, 6), (big, 60)):
        paper = session.get(Paper, paper_id)
        report, counted[sections] = _statements(
            connection, lambda paper=paper: alignment.coverage_report(paper)
        )
        matrix = report.matrix
        assert (len(matrix.rows), len(matrix.items)) == (sections, 25)
        assert matrix.counts["none"] == 25  # only the whole-paper row is empty
        assert sum(matrix.counts.values()) == (sections + 1) * 25
        assert report.expected_without_decision == []
        assert len(report.conflicts) == matrix.counts["conflict"] > 0
        assert {cell.decision.rationale for cell in report.conflicts} == {"Bulk."}
    # The items, the sections, and the cells' statuses with the conflicting cells' decisions
    # beside them in the same statement: never every decision as an object.
    assert len(counted[6]) == len(counted[60]) == 3, counted[60]


# --- position decisions --------------------------------------------------------------------


def _settle(paper, **changes):
    values = {
        "question": "How far should the paper endorse text-and-data-mining exceptions?",
        "options": ["Endorse broad exceptions", "Endorse with an opt-out", "Stay silent"],
        "decision": "Endorse exceptions with an opt-out for rights holders.",
        "rationale": "CLT and legal affairs agreed that creators need a say; SHS accepted.",
        "sectors": ["clt", "SHS", "LA"],
    }
    values.update(changes)
    actor = values.pop("actor", paper.people[Role.COORDINATOR])
    return position_decisions.record_position_decision(paper, actor, **values)


def test_a_position_decision_is_recorded_and_listed(built):
    comment = comment_on(built.sections["3"], built.people[Role.REVIEWER])
    first = _settle(built, comment_ids=[comment.id], section_id=built.sections["3"].id)
    second = _settle(built, question="Should the paper name companies?", options=["Yes", "No"])
    assert [s.code for s in first.sectors] == ["CLT", "LA", "SHS"]
    assert first.comment_ids == [comment.id]
    assert first.options == ["Endorse broad exceptions", "Endorse with an opt-out", "Stay silent"]

    listed = position_decisions.list_position_decisions(built)
    assert [(d.id, d.section_id, d.comment_ids) for d in listed] == [
        (first.id, built.sections["3"].id, [comment.id]),
        (second.id, None, []),
    ]
    for_section = position_decisions.list_position_decisions(built, built.sections["3"])
    assert [d.id for d in for_section] == [first.id]
    assert position_decisions.list_position_decisions(built, built.sections["1"]) == []
    logged = session.scalars(
        select(Activity).where(Activity.action == "position_decision.recorded")
    ).all()
    assert [entry.target_id for entry in logged] == [first.id, second.id]
    assert logged[0].after["sectors"] == ["CLT", "LA", "SHS"]


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"question": " "}, BadInput, "missing: question"),
        ({"decision": "", "rationale": ""}, BadInput, "missing: decision, rationale"),
        ({"options": [" "]}, BadInput, "options"),
        ({"sectors": []}, BadInput, "sectors"),
        ({"sectors": ["NOPE"]}, BadInput, "There is no sector “NOPE”."),
        ({"section_id": 999_999}, Invalid, "not a section of this paper"),
        ({"comment_ids": [999_999]}, Invalid, "999999"),
    ],
)
def test_a_position_decision_is_refused_when_incomplete(built, changes, error, message):
    with pytest.raises(error, match=message):
        _settle(built, **changes)
    assert position_decisions.list_position_decisions(built) == []


@pytest.mark.parametrize("role", [Role.AUTHOR, Role.REVIEWER, Role.SIGNATORY, Role.OBSERVER])
def test_only_the_coordinator_records_position_decisions(built, role):
    with pytest.raises(Forbidden):
        _settle(built, actor=built.people[role])
