"""The WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

import gc

from app import create_app
from app.config import require_secret_key
from app.export import runner

app = create_app()
require_secret_key(app)  # a server never signs sessions with the development key
# Temporary folders of Plume processes killed with SIGKILL (they may hold draft text).
runner.sweep()
# What the app loaded (modules, mappers, templates) lives as long as the process: moved out
# of the collector's reach, a full collection walks only what requests made. Those walks,
# of every object the app had loaded, were the slow tail of the pages that make many
# objects: the section page of 2,000 comments took 175-210 ms at p95 for 39-46 ms at p50.
gc.collect()
gc.freeze()
