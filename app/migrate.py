"""Run Alembic from the app: `plume db upgrade` and the tests use these."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from app.config import ROOT


def alembic_config(url: str | None = None, connection=None) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    if url:
        config.attributes["url"] = url
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(url: str, revision: str = "heads") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)
