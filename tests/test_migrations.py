"""The models and the migrations agree, and the migrations go down and up again."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

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
