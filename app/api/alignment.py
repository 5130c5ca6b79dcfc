"""Alignment: decisions against framework items, the traceability matrix, the coverage
report, position decisions, and the frameworks a paper is checked against."""

from app.api import bp, current_user, pagination
from app.api.pagination import PageQuery
from app.api.plain import coverage_out, matrix_out, plain_json
from app.api.schemas import PaperOut
from app.api.schemas.alignment import (
    AlignmentCoverageOut,
    AlignmentDecisionOut,
    AlignmentHistoryQuery,
    AlignmentMatrixOut,
    AlignmentMatrixQuery,
    PaperAlignmentIn,
    PaperFrameworksIn,
    PositionDecisionIn,
    PositionDecisionOut,
    SectionAlignmentIn,
)
from app.services import access, alignment, position_decisions, sections

TAGS = ["Alignment"]


def _section_and_paper(section_id: int):
    user = current_user()
    section = sections.get_section(section_id, user)
    return section, access.get_paper(section.paper_id, user)


# Each GET comes before its POST, whose response nests the same schema: the OpenAPI
# document must meet the schema at the top level first, or apispec registers it twice.
@bp.get("/sections/<int:section_id>/alignments")
@bp.input(AlignmentHistoryQuery, location="query", arg_name="query")
@bp.output(AlignmentDecisionOut(many=True))
@bp.doc(
    tags=TAGS,
    summary="Every alignment decision on the section, oldest first, superseded ones too",
    description="`current` is true for the newest decision on each item; `superseded_by` "
    "names the decision that replaced an older one.",
)
def list_section_alignments(section_id: int, query):
    section, paper = _section_and_paper(section_id)
    history = alignment.decision_history(paper, section, item_code=query.get("item"))
    return pagination.page(history, query, lambda item: (item.id,))


@bp.post("/sections/<int:section_id>/alignments")
@bp.input(SectionAlignmentIn, arg_name="data")
@bp.output(AlignmentDecisionOut, status_code=201)
@bp.doc(
    tags=TAGS,
    summary="Record how the section stands against one framework item",
    description="The coordinator and the section's lead author decide. The item must belong "
    "to one of the paper's frameworks (else 422); a quote must be in the section's current "
    "text (else 422). The new decision supersedes the previous one on the same item.",
)
def record_section_alignment(section_id: int, data):
    user = current_user()
    return alignment.record_section_decision(sections.get_section(section_id, user), user, **data)


@bp.get("/papers/<int:paper_id>/alignments")
@bp.input(AlignmentHistoryQuery, location="query", arg_name="query")
@bp.output(AlignmentDecisionOut(many=True))
@bp.doc(tags=TAGS, summary="Every decision on the whole paper, oldest first")
def list_paper_alignments(paper_id: int, query):
    paper = access.get_paper(paper_id, current_user())
    history = alignment.decision_history(paper, item_code=query.get("item"))
    return pagination.page(history, query, lambda item: (item.id,))


@bp.post("/papers/<int:paper_id>/alignments")
@bp.input(PaperAlignmentIn, arg_name="data")
@bp.output(AlignmentDecisionOut, status_code=201)
@bp.doc(
    tags=TAGS,
    summary="Record how the whole paper stands against one framework item (coordinator)",
)
def record_paper_alignment(paper_id: int, data):
    user = current_user()
    return alignment.record_paper_decision(access.get_paper(paper_id, user), user, **data)


@bp.get("/papers/<int:paper_id>/alignment-matrix")
@bp.input(AlignmentMatrixQuery, location="query", arg_name="query")
@bp.output(AlignmentMatrixOut)
@bp.doc(
    tags=TAGS,
    summary="The traceability matrix: sections × framework items, each cell the current status",
)
def alignment_matrix(paper_id: int, query):
    paper = access.get_paper_to_read(paper_id, current_user())
    return plain_json(
        matrix_out(alignment.alignment_matrix(paper, framework=query.get("framework")))
    )


@bp.get("/papers/<int:paper_id>/coverage")
@bp.input(AlignmentMatrixQuery, location="query", arg_name="query")
@bp.output(AlignmentCoverageOut)
@bp.doc(
    tags=TAGS,
    summary="Items addressed nowhere, conflicts, sections without decisions, expected items "
    "without a decision",
)
def coverage(paper_id: int, query):
    paper = access.get_paper_to_read(paper_id, current_user())
    return plain_json(
        coverage_out(alignment.coverage_report(paper, framework=query.get("framework")))
    )


@bp.put("/papers/<int:paper_id>/frameworks")
@bp.input(PaperFrameworksIn, arg_name="data")
@bp.output(PaperOut)
@bp.doc(tags=TAGS, summary="Choose the frameworks the paper is checked against (coordinator)")
def choose_frameworks(paper_id: int, data):
    user = current_user()
    return alignment.choose_frameworks(access.get_paper(paper_id, user), user, data["frameworks"])


@bp.get("/papers/<int:paper_id>/position-decisions")
@bp.input(PageQuery, location="query", arg_name="query")
@bp.output(PositionDecisionOut(many=True))
@bp.doc(tags=TAGS, summary="How divergent sector views were settled, oldest first")
def list_position_decisions(paper_id: int, query):
    paper = access.get_paper(paper_id, current_user())
    entries = position_decisions.list_position_decisions(paper)
    return pagination.page(entries, query, lambda item: (item.id,))


@bp.post("/papers/<int:paper_id>/position-decisions")
@bp.input(PositionDecisionIn, arg_name="data")
@bp.output(PositionDecisionOut, status_code=201)
@bp.doc(
    tags=TAGS,
    summary="Record how divergent sector views on one question were settled (coordinator)",
)
def record_position_decision(paper_id: int, data):
    user = current_user()
    paper = access.get_paper(paper_id, user)
    return position_decisions.record_position_decision(paper, user, **data)


@bp.get("/sections/<int:section_id>/position-decisions")
@bp.input(PageQuery, location="query", arg_name="query")
@bp.output(PositionDecisionOut(many=True))
@bp.doc(tags=TAGS, summary="The position decisions about this section, oldest first")
def list_section_position_decisions(section_id: int, query):
    section, paper = _section_and_paper(section_id)
    entries = position_decisions.list_position_decisions(paper, section)
    return pagination.page(entries, query, lambda item: (item.id,))
