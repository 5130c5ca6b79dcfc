"""Which links a reader may follow: the one rule for the web page and every export format.

A link in a section's text keeps its target only with one of SAFE_SCHEMES, or with no scheme at
all (a relative link, which points nowhere outside the document). Anything else (`javascript:`,
`data:`, `file:`, `vbscript:`...) loses its target and is shown as its text. The web page passes
SAFE_SCHEMES to nh3; the exports apply the same set in app/export/sanitize_inlines.lua (a test
checks that the two lists agree) on the links `may_hold_unsafe_link` picks out.
"""

from __future__ import annotations

import re

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})

_SCHEME = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.\-]*):")
# Link destinations as CommonMark writes them: inline links, reference definitions, autolinks.
_DESTINATIONS = re.compile(
    r"\]\(\s*<?([^)\s>]*)|^ {0,3}\[[^\]]+\]:\s*<?(\S*)|<([A-Za-z][A-Za-z0-9+.\-]{1,31}:[^<>\s]*)>",
    re.MULTILINE,
)


def is_safe_url(url: str) -> bool:
    """Whether a link target may be kept: a safe scheme, or none."""
    found = _SCHEME.match(url)
    return found is None or found.group(1).lower() in SAFE_SCHEMES


def may_hold_unsafe_link(markdown: str) -> bool:
    """Whether a Markdown text may hold a link that is_safe_url refuses, or a link to an anchor
    (#part), which the exports also show as its text: no anchor of a section's text exists in
    the assembled document. Cheap, and errs on the side of yes: an entity or a backslash in a
    destination could hide a scheme."""
    for match in _DESTINATIONS.finditer(markdown):
        url = next(group for group in match.groups() if group is not None)
        if "&" in url or "\\" in url or url.startswith("#") or not is_safe_url(url):
            return True
    return False
