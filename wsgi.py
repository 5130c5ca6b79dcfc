"""The WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

from app import create_app
from app.config import require_secret_key
from app.export import runner

app = create_app()
require_secret_key(app)  # a server never signs sessions with the development key
# Temporary folders of Plume processes killed with SIGKILL (they may hold draft text).
runner.sweep()
