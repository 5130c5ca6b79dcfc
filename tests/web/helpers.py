"""Reading pages in the web tests: the CSRF token a form carries, elements and visible text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

PASSWORD = "correct horse battery"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client, path: str = "/login") -> str:
    """The CSRF token of the client's session, as a page's forms carry it."""
    page = client.get(path)
    match = _TOKEN.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


class Page(HTMLParser):
    """A parsed page: its elements (tag, attributes) and its visible text."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self._text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {name: value or "" for name, value in attrs}))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        self._text.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self._text).split())

    def find(self, tag: str, **attrs) -> list[dict]:
        return [
            found
            for name, found in self.elements
            if name == tag and all(found.get(k.rstrip("_")) == v for k, v in attrs.items())
        ]


def page(response) -> Page:
    return Page(response.get_data(as_text=True))
