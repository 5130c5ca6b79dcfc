"""The WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

from app import create_app
from app.export import runner

app = create_app()
# Temporary folders of Plume processes killed with SIGKILL (they may hold draft text).
runner.sweep()
