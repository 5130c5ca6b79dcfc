"""The comment resolution matrix as CSV and as a Word table."""

from __future__ import annotations

import csv
import io

import docx
from docx.enum.section import WD_ORIENT
from hypothesis import given, settings
from hypothesis import strategies as st

from app.export import MatrixRow, comment_matrix_csv, comment_matrix_docx
from app.export.matrix import FORMULA_START

ROWS = [
    MatrixRow(
        sector="SHS",
        section_number="2.1",
        section_title="Propriété intellectuelle",
        passage="« qui possède l’œuvre »",
        type="substantive",
        comment="Préciser le régime des œuvres générées.",
        proposed_change="Ajouter une référence à la Convention de 2005.",
        decision="accepted_modified",
        rationale="Reformulé avec le Secteur de la culture.",
    ),
    MatrixRow("CLT", "1", "Introduction", "", "editorial", 'Typo, "quoted"', "", "accepted", ""),
    MatrixRow("CI", "3", "Axes", "line one\nline two", "legal", '=HYPERLINK("x")', "", "", ""),
]


def test_csv_opens_with_the_csv_module_one_row_per_comment():
    data = comment_matrix_csv(ROWS)
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == [
        "Sector",
        "Section",
        "Section title",
        "Passage",
        "Type",
        "Comment",
        "Proposed change",
        "Decision",
        "Rationale",
    ]
    assert len(rows) == 1 + len(ROWS)
    assert rows[1][3] == "« qui possède l’œuvre »"
    assert rows[2][5] == 'Typo, "quoted"'
    assert rows[3][3] == "line one\nline two"


def test_csv_cells_never_run_as_spreadsheet_formulas():
    rows = list(csv.reader(io.StringIO(comment_matrix_csv(ROWS).decode("utf-8-sig"))))
    assert rows[3][5] == '\'=HYPERLINK("x")'


# Text heavy in what CSV quotes and what a spreadsheet runs: commas, quotes, line breaks,
# formula starts, spaces, and accents.
_CSV_TEXT = st.one_of(
    st.none(),
    st.text(alphabet=st.sampled_from(list(",\"\r\n\t =+-@'; aé€x")), max_size=12),
    st.text(max_size=30),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_CSV_TEXT, min_size=9, max_size=9), max_size=6))
def test_csv_is_what_the_csv_module_writes_of_the_guarded_cells(rows):
    """Plume writes its CSV itself, for speed: byte for byte the csv module's output of the
    cells with a ' before any that a spreadsheet would run as a formula."""
    expected = io.StringIO()
    writer = csv.writer(expected, lineterminator="\r\n")
    writer.writerow(comment_matrix_csv([]).decode("utf-8-sig").removesuffix("\r\n").split(","))
    for row in rows:
        writer.writerow(
            ["'" + cell if cell and cell.startswith(FORMULA_START) else cell for cell in row]
        )
    assert comment_matrix_csv(rows) == expected.getvalue().encode("utf-8-sig")


def test_csv_headings_in_french():
    rows = list(csv.reader(io.StringIO(comment_matrix_csv(ROWS, "fr").decode("utf-8-sig"))))
    assert rows[0][0] == "Secteur" and rows[0][5] == "Commentaire"


def test_word_matrix_is_a_landscape_table_with_a_repeated_header_row():
    data = comment_matrix_docx(ROWS, "Review round 1 — comment resolution matrix")
    document = docx.Document(io.BytesIO(data))
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert section.page_width > section.page_height
    assert document.paragraphs[0].text == "Review round 1 — comment resolution matrix"
    (table,) = document.tables
    assert len(table.rows) == 1 + len(ROWS)
    assert [cell.text for cell in table.rows[0].cells] == [
        "Sector",
        "Section",
        "Passage",
        "Type",
        "Comment",
        "Proposed change",
        "Decision",
        "Rationale",
    ]
    assert table.rows[1].cells[1].text == "2.1 Propriété intellectuelle"
    assert table.rows[1].cells[2].text == "« qui possède l’œuvre »"
    assert table.rows[0]._tr.xml.count("<w:tblHeader") == 1


def test_word_matrix_is_deterministic_and_handles_no_rows():
    assert comment_matrix_docx(ROWS, "M") == comment_matrix_docx(ROWS, "M")
    document = docx.Document(io.BytesIO(comment_matrix_docx([], "Empty")))
    assert len(document.tables[0].rows) == 1
