"""Alignment: the traceability matrix as a coloured grid, the coverage report, each cell's
decisions with their history, the frameworks a paper is checked against, and the position
decisions that settled divergent sector views.

The rules (who decides, what a decision needs, what counts as addressed) are in
app/services/alignment.py and app/services/position_decisions.py; these pages read and
send forms, as the API does.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from functools import partial
from typing import NamedTuple

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import pgettext
from jinja2.filters import do_truncate
from markupsafe import Markup, escape

from app.errors import message, status_of
from app.services import access, alignment, position_decisions, reference, reviews, sections
from app.services.errors import BadInput, Invalid, NotFound
from app.web import bp, forms, i18n, templating
from app.web.auth import me
from app.web.templating import where as name_of

TAB = "web.alignment"
_ID_SEPARATORS = re.compile(r"[\s,;]+")


def status_marks() -> dict[str, str]:
    """Each status as one or two letters, so that a cell says it without its colour."""
    # The context tells translators that these are abbreviations in a grid cell (« L »
    # for « lacune »); it must be written out in each call for the extractor to see it.
    return {
        "aligned": pgettext("alignment status in a grid cell", "A"),
        "partial": pgettext("alignment status in a grid cell", "P"),
        "gap": pgettext("alignment status in a grid cell", "G"),
        "conflict": pgettext("alignment status in a grid cell", "C"),
        "not_applicable": pgettext("alignment status in a grid cell", "NA"),
        "none": "–",
    }


def status_names() -> dict[str, str]:
    """Each status's name, and "none"'s ("No decision"): the grid names them in every cell."""
    names = {status: i18n.label(status, "alignment") for status in alignment.STATUSES}
    names["none"] = _("No decision")
    return names


def _comment_ids(name: str = "comment_ids") -> list[int]:
    """Comment numbers typed as "12, 15" or "#12 #15"."""
    ids = []
    for part in _ID_SEPARATORS.split(forms.text(name)):
        part = part.removeprefix("#")
        if not part:
            continue
        if not part.isdigit():
            raise BadInput("comment_numbers")
        ids.append(int(part))
    return ids


def _quote() -> dict[str, str] | None:
    """The supporting passage as a TextQuoteSelector, or None when no field is filled."""
    quote = {
        "exact": forms.multiline("quote_exact"),
        "prefix": request.form.get("quote_prefix", ""),
        "suffix": request.form.get("quote_suffix", ""),
    }
    return quote if any(value.strip() for value in quote.values()) else None


def _linked_comments(paper_id: int, ids: list[int]) -> list[dict]:
    """The comments a decision answers, each with the section page that shows it."""
    found = reviews.comments_by_id(paper_id, ids)
    linked = []
    for comment_id in ids:
        comment = found.get(comment_id)
        url = None
        if comment is not None:
            url = url_for(
                "web.section", section_id=comment.section_id, _anchor=f"comment-{comment_id}"
            )
        linked.append({"id": comment_id, "url": url, "excerpt": comment.body if comment else ""})
    return linked


def _paper_page(paper_id: int):
    """The acting user, the paper, and what every alignment page shows around it."""
    user = me()
    paper = access.get_paper(paper_id, user)
    perms = access.permissions(user, paper)
    page = {
        "paper": paper,
        "perms": perms,
        "roles": perms.roles,
        "active_tab": TAB,
        "marks": status_marks(),
        "statuses": alignment.STATUSES,
        "is_coordinator": perms.may_decide_alignment(None),
    }
    return user, paper, page


# --- the matrix and the coverage report ------------------------------------------------


# Rows of the grid per page: a thousand sections by 33 items is 33,000 cells, more than a
# browser lays out quickly or a reader scans; the counts below the grid cover every row.
GRID_ROWS = 100
# The framework choice that shows every framework of the paper in one grid.
EVERY_FRAMEWORK = "all"
# Entries of each coverage list shown under the grid (the API's coverage report has them all).
COVERAGE_LIST = 50


# A section id that no real section has, standing for "any section" in an address built
# once and filled in per section.
_ANY_SECTION = 987_654_321


def cell_links(paper):
    """A function giving the address of a cell (section None: the whole paper's row), with
    two url_for in all rather than one per cell (a grid has 3,300)."""
    section_url = url_for("web.section_alignment", section_id=_ANY_SECTION, item_code="~")
    before, after = section_url.removesuffix("~").split(str(_ANY_SECTION))
    paper_base = url_for("web.paper_alignment", paper_id=paper.id, item_code="~").removesuffix("~")

    def cell_link(section, code: str) -> str:
        if section is None:
            return paper_base + code
        return f"{before}{section.id}{after}{code}"

    return cell_link


def section_links():
    """A function giving a section page's address from its id, with one url_for in all."""
    before, after = url_for("web.section", section_id=_ANY_SECTION).split(str(_ANY_SECTION))

    def section_link(section_id: int) -> str:
        return f"{before}{section_id}{after}"

    return section_link


def grid_rows(
    paper,
    matrix,
    rows,
    marks: dict[str, str],
    names: dict[str, str],
    position_counts: Mapping[int, int],
) -> Markup:
    """The rows shown, as the HTML of the grid's body. Each cell is written once per item,
    status and whether the template expects the item, in four pieces around its row's values
    (which section, its address, its name): a hundred rows of 33 cells through the template's
    loops, macros and url_for cost more than the queries behind them."""
    expected_note = escape(" (" + _("expected by the template") + ")")
    cells_of = {}  # {(code, status, expected): the cell's HTML around its row's values}
    for item in matrix.items:
        safe = escape(item.code)
        for status in [*alignment.STATUSES, None]:
            css, mark, name = (
                f"cell cell-{status or 'none'}",
                escape(marks[status or "none"]),
                escape(names[status or "none"]),
            )
            for expected, extra_css, note in (
                (False, "", ""),
                (True, " cell-expected", expected_note),
            ):
                cells_of[(item.code, status, expected)] = (
                    f'<td class="{css}{extra_css}" data-cell="',
                    f':{safe}"><a href="',
                    f'{safe}" title="',
                    f' × {safe} — {name}"><span aria-hidden="true">{mark}</span>'
                    f'<span class="visually-hidden">{safe}: {name}{note}</span></a></td>',
                )
    codes = [item.code for item in matrix.items]
    whole = escape(_("Whole paper"))
    positions_note = escape(_("position decisions"))
    cell_link = cell_links(paper)
    section_link = section_links()
    out = []
    for row in rows:
        section = row.section
        positions = Markup("")
        if section is None:
            where, key, expected = whole, "paper", ()
            css, row_id, head = "whole-paper", "row-paper", whole
        else:
            where, key = escape(section.number), str(section.id)
            expected = section.expected_items or ()
            title = escape(section.title(paper.language))
            css, row_id = f"level-{section.level}", f"row-{section.id}"
            head = Markup(
                f'<a href="{escape(section_link(section.id))}" title="{where} {title}">'
                f"{name_of(paper, section)}</a>"
            )
            count = position_counts.get(section.id)
            if count:
                url = url_for("web.position_decisions_page", paper_id=paper.id, section=section.id)
                positions = Markup(
                    f'<a href="{escape(url)}">{count}'
                    f'<span class="visually-hidden"> {positions_note}</span></a>'
                )
        # Plain strings: an f-string formats a Markup through its __format__, three times slower.
        cells, link, where = row.cells, str(escape(cell_link(section, ""))), str(where)
        html = "".join(
            [
                f"{before_key}{key}{before_link}{link}{before_name}{where}{rest}"
                for before_key, before_link, before_name, rest in [
                    cells_of[(code, cells[code], code in expected)] for code in codes
                ]
            ]
        )
        out.append(
            f'<tr class="{css}" id="{row_id}"><th scope="row">{head}</th>{html}'
            f'<td class="cell-positions">{positions}</td></tr>'
        )
    return Markup("\n".join(out))


def count_rows(matrix) -> list[tuple[str, Markup]]:
    """(status, the HTML of its count cells) for the grid's foot: each item's count of
    cells in each status (and empty), written in one string per status."""
    out = []
    codes = [(item.code, escape(item.code)) for item in matrix.items]
    for status in [*alignment.STATUSES, "none"]:
        html = []
        for code, safe in codes:
            n = matrix.item_counts[code][status]
            zero = "" if n else " zero"
            html.append(f'<td class="count-cell{zero}" data-count="{status}:{safe}">{n}</td>')
        out.append((status, Markup("".join(html))))
    return out


class CoverageLists(NamedTuple):
    """The coverage report's four lists under the grid, each its entries' HTML (`<li>`s)."""

    unaddressed: Markup
    conflicts: Markup
    undecided: Markup
    expected: Markup


def coverage_lists(paper, coverage, limit: int) -> CoverageLists:
    """The first `limit` entries of each coverage list, as HTML written here as the grid's
    rows are: 150 entries through the template's filters and calls took longer than the
    report's statements."""
    language = i18n.current_language()
    cell_link, section_link = cell_links(paper), section_links()
    written_at = templating.datetime_writer("short")
    truncate = partial(do_truncate, current_app.jinja_env)
    names: dict[int | None, Markup] = {}

    def where(section) -> Markup:
        key = section.id if section else None
        name = names.get(key)
        if name is None:
            name = names[key] = name_of(paper, section)
        return name

    unaddressed = [
        f'<li data-item="{escape(item.code)}"><code>{escape(item.code)}</code> '
        f"{escape(item.title(language))}</li>"
        for item in coverage.unaddressed_items
    ]
    conflicts = []
    for cell in coverage.conflicts[:limit]:
        decision, code = cell.decision, escape(cell.item.code)
        conflicts.append(
            f'<li><a href="{escape(cell_link(cell.section, cell.item.code))}">'
            f"{where(cell.section)} × <code>{code}</code></a> "
            f'<span class="rationale small">{escape(truncate(decision.rationale, 240))}</span> '
            f'<span class="muted small">{escape(decision.decided_by.name)}, '
            f"{escape(written_at(decision.created_at))}</span></li>"
        )
    undecided = [
        f'<li data-section="{section.id}"><a href="{escape(section_link(section.id))}">'
        f"{where(section)}</a></li>"
        for section in coverage.sections_without_decisions[:limit]
    ]
    # {code: its pill's HTML after the address}: the same items recur in every entry.
    pill_end = {
        item.code: f'" title="{escape(item.title(language))}">{escape(item.code)}</a>'
        for item in coverage.matrix.items
    }
    expected = []
    for missing in coverage.expected_without_decision[:limit]:
        section = missing.section
        pills = "".join(
            f'<a class="pill" href="{escape(cell_link(section, item.code))}{pill_end[item.code]}'
            for item in missing.items
        )
        expected.append(
            f'<li data-section="{section.id}"><a href="{escape(section_link(section.id))}">'
            f'{where(section)}</a> <span class="expected-items">{pills}</span></li>'
        )
    return CoverageLists(
        *(Markup("\n".join(entries)) for entries in (unaddressed, conflicts, undecided, expected))
    )


@bp.get("/papers/<int:paper_id>/alignment", endpoint="alignment")
def alignment_page(paper_id: int):
    _user, paper, page = _paper_page(paper_id)
    framework = request.args.get("framework") or None
    if framework == EVERY_FRAMEWORK:
        framework = None
    elif (
        framework is None
        and len(paper.frameworks) > 1
        and sections.section_count(paper.id) > GRID_ROWS
    ):
        # A long paper shows one framework at a time: 1,000 rows by every item are more cells
        # than a reader scans; "every framework" stays one choice away.
        framework = reference.framework_label(paper.frameworks[0])
    coverage = alignment.coverage_report(paper, framework=framework)
    decided = position_decisions.list_position_decisions(paper)
    about_section = Counter(entry.section_id for entry in decided if entry.section_id)
    matrix = coverage.matrix
    pages = max(1, -(-len(matrix.sections) // GRID_ROWS))
    number = min(max(1, request.args.get("rows", 1, type=int)), pages)
    # The cells of the rows shown only; the counts and the coverage cover every row.
    shown = [
        matrix.row(section)
        for section in matrix.sections[(number - 1) * GRID_ROWS : number * GRID_ROWS]
    ]
    names = status_names()
    return render_template(
        "alignment/matrix.html",
        **page,
        matrix=matrix,
        status_names=names,
        grid=grid_rows(
            paper, matrix, [matrix.whole_paper, *shown], page["marks"], names, about_section
        ),
        count_rows=count_rows(matrix),
        row_page={
            "number": number,
            "pages": pages,
            "first": (number - 1) * GRID_ROWS + 1,
            "last": (number - 1) * GRID_ROWS + len(shown),
            "total": len(matrix.sections),
        },
        coverage=coverage,
        coverage_lists=coverage_lists(paper, coverage, COVERAGE_LIST),
        list_limit=COVERAGE_LIST,
        framework=framework or (EVERY_FRAMEWORK if request.args.get("framework") else None),
        paper_frameworks=list(paper.frameworks),
        framework_label=reference.framework_label,
        all_frameworks=reference.list_frameworks() if page["is_coordinator"] else [],
        sections_by_id={section.id: section for section in matrix.sections},
        recent_positions=list(reversed(decided))[:5],
        position_total=len(decided),
    )


@bp.post("/papers/<int:paper_id>/frameworks")
def choose_frameworks(paper_id: int):
    user, paper, _page = _paper_page(paper_id)
    alignment.choose_frameworks(paper, user, request.form.getlist("frameworks"))
    chosen = ", ".join(reference.framework_label(f) for f in paper.frameworks) or _("none")
    flash(_("This paper is now checked against: %(frameworks)s.", frameworks=chosen), "success")
    return redirect(url_for("web.alignment", paper_id=paper.id))


# --- one cell: a section (or the whole paper) against one item ---------------------------


def _cell_page(page: dict, section, item, *, may_decide: bool, form=None, error=None):
    paper = page["paper"]
    history = alignment.decision_history(paper, section, item_code=item.code)
    entries = [(entry, _linked_comments(paper.id, entry.comment_ids)) for entry in history]
    current = history[-1] if history else None
    return render_template(
        "alignment/cell.html",
        **page,
        section=section,
        item=item,
        history=entries,
        current=current,
        may_decide=may_decide,
        expected=section is not None and item.code in section.expected_items,
        positions=position_decisions.list_position_decisions(paper, section) if section else [],
        form=form or {},
        error=error,
        framework_label=reference.framework_label,
    )


def _decision_form() -> dict:
    """What the form held, to show it again when the decision is refused."""
    return {
        "status": forms.text("status"),
        "rationale": forms.multiline("rationale"),
        "quote_exact": forms.multiline("quote_exact"),
        "quote_prefix": request.form.get("quote_prefix", ""),
        "quote_suffix": request.form.get("quote_suffix", ""),
        "comment_ids": forms.text("comment_ids"),
    }


def _decided(section, item, status: str) -> None:
    where = section.number if section else _("The whole paper")
    flash(
        _(
            "Decision recorded: %(where)s × %(item)s is now “%(status)s”.",
            where=where,
            item=item.code,
            status=i18n.label(status, "alignment"),
        ),
        "success",
    )


@bp.route("/sections/<int:section_id>/alignment/<item_code>", methods=["GET", "POST"])
def section_alignment(section_id: int, item_code: str):
    section = sections.get_section(section_id, me())
    user, paper, page = _paper_page(section.paper_id)
    item = alignment.paper_item(paper, item_code)
    may_decide = page["perms"].may_decide_alignment(section)
    if request.method == "GET":
        return _cell_page(page, section, item, may_decide=may_decide)

    form = _decision_form()
    try:
        recorded = alignment.record_section_decision(
            section,
            user,
            item_code=item.code,
            status=form["status"],
            rationale=form["rationale"],
            quote=_quote(),
            comment_ids=_comment_ids(),
        )
    except (BadInput, Invalid) as error:
        return _cell_page(
            page, section, item, may_decide=True, form=form, error=message(error)
        ), status_of(error)
    _decided(section, item, recorded.status)
    return redirect(
        url_for(
            "web.section_alignment",
            section_id=section.id,
            item_code=item.code,
            _anchor=f"decision-{recorded.id}",
        )
    )


@bp.route("/papers/<int:paper_id>/alignment/whole-paper/<item_code>", methods=["GET", "POST"])
def paper_alignment(paper_id: int, item_code: str):
    user, paper, page = _paper_page(paper_id)
    item = alignment.paper_item(paper, item_code)
    may_decide = page["perms"].may_decide_alignment(None)
    if request.method == "GET":
        return _cell_page(page, None, item, may_decide=may_decide)

    form = _decision_form()
    try:
        recorded = alignment.record_paper_decision(
            paper,
            user,
            item_code=item.code,
            status=form["status"],
            rationale=form["rationale"],
            comment_ids=_comment_ids(),
        )
    except (BadInput, Invalid) as error:
        return _cell_page(
            page, None, item, may_decide=True, form=form, error=message(error)
        ), status_of(error)
    _decided(None, item, recorded.status)
    return redirect(
        url_for(
            "web.paper_alignment",
            paper_id=paper.id,
            item_code=item.code,
            _anchor=f"decision-{recorded.id}",
        )
    )


# --- position decisions ----------------------------------------------------------------


def _position_form() -> dict:
    return {
        "question": forms.multiline("question"),
        "options": forms.multiline("options"),
        "decision": forms.multiline("decision"),
        "rationale": forms.multiline("rationale"),
        "sectors": request.form.getlist("sectors"),
        "section_id": forms.text("section_id"),
        "comment_ids": forms.text("comment_ids"),
    }


@bp.route("/papers/<int:paper_id>/position-decisions", methods=["GET", "POST"])
def position_decisions_page(paper_id: int):
    user, paper, page = _paper_page(paper_id)
    form, error, status = {"sectors": [], "section_id": ""}, None, 200
    if request.method == "POST":
        form = _position_form()
        try:
            recorded = position_decisions.record_position_decision(
                paper,
                user,
                question=form["question"],
                options=form["options"].split("\n"),
                decision=form["decision"],
                rationale=form["rationale"],
                sectors=form["sectors"],
                comment_ids=_comment_ids(),
                section_id=forms.optional_int("section_id"),
            )
        except (BadInput, Invalid) as refused:
            error, status = message(refused), status_of(refused)
        else:
            flash(_("Position decision recorded."), "success")
            return redirect(
                url_for(
                    "web.position_decisions_page",
                    paper_id=paper.id,
                    _anchor=f"position-{recorded.id}",
                )
            )

    section = None
    section_id = request.args.get("section", type=int)
    if section_id is not None:
        section = sections.get_section(section_id, user)
        if section.paper_id != paper.id:
            raise NotFound("section", id=section_id)
    entries = position_decisions.list_position_decisions(paper, section)
    rows = sections.list_sections(paper.id, user)
    return render_template(
        "alignment/positions.html",
        **page,
        entries=[(entry, _linked_comments(paper.id, entry.comment_ids)) for entry in entries],
        section=section,
        sections_by_id={row.id: row.section for row in rows},
        all_sections=[row.section for row in rows],
        all_sectors=reference.list_sectors() if page["is_coordinator"] else [],
        form=form,
        error=error,
    ), status
