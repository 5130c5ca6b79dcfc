"""The models and the migrations agree, and the migrations go down and up again."""

from __future__ import annotations

import re

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import CheckConstraint, create_engine, inspect
from sqlalchemy.sql.elements import conv

import app.models  # noqa: F401
from app import migrate
from app.db import Base, make_engine
from app.models.search import include_name
from tests.conftest import fresh_postgres_database, postgres_url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
    return fresh_postgres_database(postgres_url("migrations"))


def _differences(url: str) -> list:
    engine = make_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": include_name}
        )
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    return diff


def test_autogenerate_finds_no_difference(empty_url):
    migrate.upgrade(empty_url)
    assert _differences(empty_url) == []


def test_downgrade_to_base_then_upgrade(empty_url):
    migrate.upgrade(empty_url)
    migrate.downgrade(empty_url, "base")
    engine = create_engine(empty_url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    migrate.upgrade(empty_url)
    engine = create_engine(empty_url)
    assert {"papers", "sections", "revisions", "versions", "activity"} <= set(
        inspect(engine).get_table_names()
    )
    engine.dispose()
    assert _differences(empty_url) == []


def _literals(sql: str) -> set[str]:
    """The quoted values a CHECK constraint names ('open'::character varying counts as open)."""
    return set(re.findall(r"'([^']*)'", sql))


def _model_checks() -> dict[tuple[str, str], str]:
    """{(table, constraint name): SQL} for every CHECK the models declare."""
    found = {}
    for table in Base.metadata.sorted_tables:
        for constraint in table.constraints:
            if isinstance(constraint, CheckConstraint):
                name = conv_name(constraint, table)
                found[(table.name, name)] = str(constraint.sqltext)
    return found


def conv_name(constraint: CheckConstraint, table) -> str:
    """The constraint's name as the naming convention writes it in the database."""
    if isinstance(constraint.name, conv):  # already converted when the table was created
        return str(constraint.name)
    convention = Base.metadata.naming_convention["ck"]
    return convention % {"table_name": table.name, "constraint_name": constraint.name}


def test_every_check_constraint_of_the_models_is_in_the_database(empty_url):
    """Autogenerate does not compare CHECK constraints: an enum value added without its
    migration (a new export format, say) would pass the test above and fail in production."""
    migrate.upgrade(empty_url)
    engine = create_engine(empty_url)
    inspector = inspect(engine)
    in_database = {
        (table, check["name"]): check["sqltext"]
        for table in inspector.get_table_names()
        for check in inspector.get_check_constraints(table)
    }
    engine.dispose()
    declared = _model_checks()
    assert set(declared) == set(in_database)
    for key, sql in declared.items():
        assert _literals(sql) == _literals(in_database[key]), key


def test_search_plain_text_takes_the_markdown_out_of_the_index(empty_url):
    # Migration search_plain_text: a document stored with its Markdown (as the code before
    # it did) is re-stored as its page shows it, and the index follows on both databases.
    from sqlalchemy import insert, text

    from app.models import Paper, SearchDocument
    from app.services.search_text import terms

    migrate.upgrade(empty_url, "comments_fillfactor")
    engine = make_engine(empty_url)
    sqlite = engine.dialect.name == "sqlite"
    body = "Museums record **provenance** of [loans](https://example.org/registry)."
    with engine.begin() as connection:
        paper_id = connection.execute(
            insert(Paper.__table__).values(title="A paper", language="en")
        ).inserted_primary_key[0]
        connection.execute(
            insert(SearchDocument.__table__).values(
                paper_id=paper_id,
                kind="section",
                source="section",
                source_id=1,
                language="en",
                heading="Loans",
                body=body,
                heading_terms=terms("Loans", "en") if sqlite else None,
                body_terms=terms(body, "en") if sqlite else None,
            )
        )
    engine.dispose()
    migrate.upgrade(empty_url)
    engine = make_engine(empty_url)
    if sqlite:  # FTS5 holds the stems
        found = "SELECT count(*) FROM search_fts WHERE search_fts MATCH :word"
    else:
        found = (
            "SELECT count(*) FROM search_documents "
            "WHERE tsv @@ plainto_tsquery('plume_english', :word)"
        )
    with engine.connect() as connection:

        def finds(word: str) -> int:
            word = terms(word, "en") if sqlite else word
            return connection.execute(text(found), {"word": word}).scalar_one()

        stored = connection.execute(text("SELECT body FROM search_documents")).scalar_one()
        assert stored == "Museums record provenance of loans."
        assert finds("provenance") == 1
        assert finds("registry") == 0
    engine.dispose()
