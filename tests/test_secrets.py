"""Secrets: no server with the development session key, and backups only their owner reads."""

from __future__ import annotations

import stat

import pytest

from app import create_app
from app.config import DEVELOPMENT_SECRET, MissingSecretKey, require_secret_key, secret_key


def test_a_server_outside_debug_refuses_the_development_key_and_says_how(tmp_path):
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "SECRET_KEY": DEVELOPMENT_SECRET}
    )
    assert not app.debug and not app.testing
    with pytest.raises(MissingSecretKey, match="PLUME_SECRET_KEY is not set") as refused:
        require_secret_key(app)
    assert "secrets.token_hex(32)" in str(refused.value)
    assert "secret_key" in str(refused.value)

    app.debug = True
    require_secret_key(app)  # debug mode may use it
    app.debug = False
    app.config["SECRET_KEY"] = "a real one"
    require_secret_key(app)


def test_the_key_comes_from_the_environment_then_the_instance_file(tmp_path, monkeypatch):
    monkeypatch.delenv("PLUME_SECRET_KEY", raising=False)
    assert secret_key(str(tmp_path)) == DEVELOPMENT_SECRET
    (tmp_path / "secret_key").write_text("made-by-make-run\n")
    assert secret_key(str(tmp_path)) == "made-by-make-run"
    monkeypatch.setenv("PLUME_SECRET_KEY", "from-the-environment")
    assert secret_key(str(tmp_path)) == "from-the-environment"


def test_a_backup_file_is_readable_by_its_owner_only(app, db, tmp_path):
    runner = app.test_cli_runner()
    path = tmp_path / "backup.json"
    path.write_text("old")
    path.chmod(0o644)  # an existing, world-readable file is tightened too
    result = runner.invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().startswith("{")
