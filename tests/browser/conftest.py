"""End-to-end tests in Debian's headless Chromium, driven by Python Playwright.

Each test module gets a fresh SQLite database built by running the migrations, and the
app served by werkzeug in a thread on 127.0.0.1 at a random port, with real commits: the
browser talks to a live server. Without /usr/bin/chromium the tests skip and say why;
under CI=true they fail instead.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app, migrate
from app.db import session
from app.models import Role
from app.services import papers, reference, users

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "browser-test-password"
IN_CI = os.environ.get("CI") == "true"


def _unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"{reason} (a skip is a failure under CI=true)", pytrace=False)
    pytest.skip(reason)


@dataclass
class Live:
    """The served app, its address, and the people of the papers the tests make."""

    app: object
    url: str
    screenshots: Path
    counter: int = 0
    made: list = field(default_factory=list)

    def paper(self, *, language: str = "en"):
        """A paper from the template with one person per role and two signatories."""
        self.counter += 1
        n = self.counter
        with self.app.app_context():
            people = {
                "coordinator": ("Camille Laurent", "CLT"),
                "author": ("Jordan Mensah", "CLT"),
                "reviewer": ("Aiko Tanaka", "SHS"),
                "signatory": ("Nadia Haddad", "CLT"),
                "signatory2": ("Lars Berg", "SHS"),
                "observer": ("Priya Raman", "ED"),
            }
            made = {}
            for key, (name, sector) in people.items():
                made[key] = users.create_user(
                    f"{key}.{n}@plume.test", name, sector, password=PASSWORD
                )
            paper = papers.create_paper(
                made["coordinator"],
                language=language,
                template_dir=Path(self.app.config["DRAFTS_DIR"]) / "ai-and-culture",
            )
            for key, user in made.items():
                if key != "coordinator":
                    role = Role.SIGNATORY if key.startswith("signatory") else Role(key)
                    papers.add_member(paper, user.email, role, actor=made["coordinator"])
            session.commit()
            emails = {key: user.email for key, user in made.items()}
            names = {key: user.name for key, user in made.items()}
            return paper.id, emails, names


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{folder / 'plume.sqlite3'}"
    migrate.upgrade(url)
    app = create_app(
        {
            "DATABASE_URL": url,
            "EXPORTS_DIR": str(folder / "exports"),
            "SECRET_KEY": "browser-tests",
        }
    )
    with app.app_context():
        reference.load_reference(app.config["REFERENCE_DIR"])
        session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    # The worker beside the server, as `make run` has it (exports, mail as .eml files).
    stop = threading.Event()

    def work():
        from app import worker

        while not stop.is_set():
            worker.run_burst(app, include_periodic=False)
            stop.wait(0.2)

    app.config["MAIL_DIR"] = str(folder / "mail")
    worker_thread = threading.Thread(target=work, daemon=True)
    worker_thread.start()
    screenshots = Path(os.environ.get("PLUME_SCREENSHOTS", folder / "screenshots"))
    screenshots.mkdir(parents=True, exist_ok=True)
    try:
        yield Live(app, f"http://127.0.0.1:{server.server_port}", screenshots)
    finally:
        stop.set()
        worker_thread.join()
        server.shutdown()
        thread.join()
        server.server_close()
        app.extensions["plume.engine"].dispose()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing: install Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def open_as(browser, live):
    """A signed-in browser tab for `email`, each person in a context (cookie jar) of their own."""
    contexts = []

    def open_as(email: str, *, language: str | None = None, width: int = 1366):
        context = browser.new_context(
            viewport={"width": width, "height": 900}, accept_downloads=True, locale="en-GB"
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live.url}/login")
        if language == "fr":
            page.get_by_role("link", name="Français").click()
        page.fill("#email", email)
        page.fill("#password", PASSWORD)
        page.locator("form button[type=submit].primary").click()
        page.wait_for_url(f"{live.url}/")
        return page

    yield open_as
    for context in contexts:
        context.close()
