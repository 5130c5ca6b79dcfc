"""The upload of a returned Word file on the version page and the round page, and its report."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from app.db import session
from app.models import Comment, Role
from app.services import rounds
from tests.services.test_imports import returned_file, setup  # noqa: F401  (a fixture)


def upload(post, paper, data: bytes, **fields):
    form = {"file": (io.BytesIO(data), "returned.docx"), **fields}
    return post(f"/papers/{paper.id}/imports", form, content_type="multipart/form-data")


def comments() -> int:
    return session.scalar(select(func.count()).select_from(Comment))


def test_the_version_page_uploads_a_dry_run_then_the_real_import(client, sign_in, post, setup):  # noqa: F811
    paper, version, sections = setup
    sign_in(paper.people[Role.COORDINATOR])
    page = client.get(f"/versions/{version.id}").get_data(as_text=True)
    assert (
        f'action="/papers/{paper.id}/imports"' in page and 'enctype="multipart/form-data"' in page
    )
    data = returned_file(paper, version, sections, reviewer_name="Nobody Known")
    before = comments()
    dry = upload(post, paper, data, dry_run="1")
    text = dry.get_data(as_text=True)
    assert dry.status_code == 200, text
    assert "Dry run: nothing was written" in text and "5 created" in text
    assert "machine learning" in text and comments() == before
    real = upload(post, paper, data)
    text = real.get_data(as_text=True)
    assert real.status_code == 200
    assert "5 created" in text and comments() == before + 4
    # Sections by number and title, reasons in words.
    assert f"{sections[0].number} {sections[0].title('en')}" in text
    assert "resolved in Word: recorded as noted" in text


def test_the_round_page_imports_into_the_round_in_french(client, sign_in, post, setup):  # noqa: F811
    paper, version, sections = setup
    coordinator = paper.people[Role.COORDINATOR]
    review_round = rounds.open_round(
        paper,
        coordinator,
        version_id=version.id,
        sectors=["CLT", "SHS"],
        deadline=datetime.now(UTC) + timedelta(days=7),
    )
    sign_in(coordinator, language="fr")
    page = client.get(f"/rounds/{review_round.id}").get_data(as_text=True)
    assert f'name="round_id" value="{review_round.id}"' in page
    data = returned_file(paper, version, sections, reviewer_name="Nobody Known")
    response = upload(post, paper, data, round_id=str(review_round.id))
    assert response.status_code == 200, response.get_data(as_text=True)
    made = session.scalars(select(Comment).where(Comment.round_id == review_round.id)).all()
    assert len(made) == 4


def test_a_refused_file_says_why_in_the_readers_language(client, sign_in, post, setup):  # noqa: F811
    paper, _, _ = setup
    sign_in(paper.people[Role.COORDINATOR], language="fr")
    response = upload(post, paper, b"%PDF-1.7 not a docx")
    assert response.status_code == 400
    assert "Ce fichier n’est pas un document Word (.docx)." in response.get_data(as_text=True)
