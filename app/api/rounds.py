"""Review rounds and the comment resolution matrix."""

from flask import Response

from app.api import bp, current_user, pagination
from app.api.pagination import PageQuery
from app.api.schemas.reviews import (
    CompletionIn,
    MatrixOut,
    MatrixQuery,
    RoundIn,
    RoundOut,
    RoundPatch,
    SectorReviewOut,
)
from app.services import access, rounds

TAGS = ["Review"]


@bp.get("/papers/<int:paper_id>/rounds")
@bp.input(PageQuery, location="query", arg_name="query")
@bp.output(RoundOut(many=True))
@bp.doc(tags=TAGS, summary="The paper's review rounds, oldest first")
def list_rounds(paper_id: int, query):
    paper = access.get_paper(paper_id, current_user())
    return pagination.page(rounds.list_rounds(paper), query, lambda item: (item.id,))


@bp.post("/papers/<int:paper_id>/rounds")
@bp.input(RoundIn, arg_name="data")
@bp.output(RoundOut, status_code=201)
@bp.doc(tags=TAGS, summary="Open a review round on a frozen version (the coordinator)")
def open_round(paper_id: int, data):
    user = current_user()
    return rounds.open_round(access.get_paper(paper_id, user), user, **data)


@bp.get("/rounds/<int:round_id>")
@bp.output(RoundOut)
@bp.doc(tags=TAGS)
def get_round(round_id: int):
    return rounds.get_round(round_id, current_user())


@bp.patch("/rounds/<int:round_id>")
@bp.input(RoundPatch, arg_name="data")
@bp.output(RoundOut)
@bp.doc(tags=TAGS, summary="Extend the round's deadline (the coordinator)")
def extend_round(round_id: int, data):
    user = current_user()
    return rounds.extend_round(rounds.get_round(round_id, user), user, data["deadline"])


@bp.post("/rounds/<int:round_id>/close")
@bp.output(RoundOut)
@bp.doc(
    tags=TAGS,
    summary="Close the round before its deadline (the coordinator)",
    description="Each invited sector's final state is recorded with the closing. A later "
    "deadline (PATCH) reopens it.",
)
def close_round(round_id: int):
    user = current_user()
    return rounds.close_round(rounds.get_round(round_id, user), user)


def _sector_review(review_round, code: str):
    return next(e for e in rounds.sector_reviews(review_round) if e.sector.code == code)


@bp.post("/rounds/<int:round_id>/completion")
@bp.input(CompletionIn, arg_name="data")
@bp.output(SectorReviewOut, status_code=201)
@bp.doc(
    tags=TAGS,
    summary="Mark my sector's review of the round complete (or: no comments)",
    description="A reviewer of an invited sector, for their own sector, until the round "
    "closes. The newest record counts; the round shows complete, no comments or no record.",
)
def mark_complete(round_id: int, data):
    user = current_user()
    review_round = rounds.get_round(round_id, user)
    record = rounds.mark_complete(review_round, user, **data)
    return _sector_review(review_round, record.sector.code)


@bp.delete("/rounds/<int:round_id>/completion/<sector>")
@bp.output(SectorReviewOut)
@bp.doc(tags=TAGS, summary="Withdraw my sector's completion, until the round closes")
def withdraw_completion(round_id: int, sector: str):
    user = current_user()
    review_round = rounds.get_round(round_id, user)
    record = rounds.withdraw_completion(review_round, user, sector=sector)
    return _sector_review(review_round, record.sector.code)


def _matrix(paper, review_round, query):
    fmt = query.pop("format")
    filters = rounds.MatrixFilters(round_id=review_round.id if review_round else None, **query)
    if fmt == "json":
        title = rounds.matrix_title(paper, review_round)
        return {"title": title, "rows": rounds.matrix(paper, filters)}
    made = rounds.matrix_file(paper, review_round, filters, fmt)
    return Response(
        made.data,
        mimetype=made.media_type,
        headers={"Content-Disposition": f'attachment; filename="{made.filename}"'},
    )


MATRIX_DOC = {
    "tags": TAGS,
    "description": "One row per comment (withdrawn ones left out): sector, section, passage, "
    "type, comment, proposed change, decision, rationale. `format=csv` is UTF-8 with a BOM, "
    "as Excel expects; `format=docx` is a landscape Word table.",
}


@bp.get("/rounds/<int:round_id>/matrix")
@bp.input(MatrixQuery, location="query", arg_name="query")
@bp.output(MatrixOut)
@bp.doc(summary="The round's comment resolution matrix as JSON, CSV or Word", **MATRIX_DOC)
def round_matrix(round_id: int, query):
    user = current_user()
    review_round = rounds.get_round(round_id, user)
    return _matrix(access.get_paper(review_round.paper_id, user), review_round, query)


@bp.get("/papers/<int:paper_id>/comment-matrix")
@bp.input(MatrixQuery, location="query", arg_name="query")
@bp.output(MatrixOut)
@bp.doc(summary="The whole paper's comment resolution matrix as JSON, CSV or Word", **MATRIX_DOC)
def paper_matrix(paper_id: int, query):
    return _matrix(access.get_paper_to_read(paper_id, current_user()), None, query)
