"""Alembic environment: the models' metadata is the target; batch mode for SQLite."""

from __future__ import annotations

import os

from alembic import context

import app.models  # noqa: F401  (registers every table on the metadata)
from app.db import Base, UTCDateTime, make_engine
from app.models.search import include_name

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return config.attributes.get("url") or os.environ["PLUME_DATABASE_URL"]


def render_item(type_, obj, autogen_context):  # noqa: ARG001 (Alembic's hook signature)
    """Write Plume's column types as plain SQLAlchemy types: migrations never import app code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(**kwargs) -> None:
    context.configure(
        target_metadata=target_metadata,
        render_as_batch=True,
        render_item=render_item,
        compare_type=True,
        # The search index's database-specific parts are made by hand (app/models/search.py).
        include_name=include_name,
        **kwargs,
    )


def run_migrations_offline() -> None:
    _configure(url=_url(), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url())
    with engine.connect() as connection:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
