"""Cursor pagination of the API's lists: `?limit=&after=`, a stable order, a next cursor.

Every list keeps its answer an array, in its documented order (by id, or by the key the
list names). It holds at most `limit` items: by default DEFAULT_LIMIT, high enough that a
client written before pagination still sees every item of a paper ten times the size of
a UNESCO paper; MAX_LIMIT at most. When more follow, the answer names the next page in a
`Link: <…>; rel="next"` header (RFC 8288) and its cursor in `X-Next-Cursor`; pass the
cursor back as `after`. A cursor is the last item's sort key, encoded: a page never skips
or repeats an item because others were added meanwhile. One that this API did not give
is refused with 400 (bad_cursor), as is a limit out of range.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from urllib.parse import urlencode

from apiflask import fields, validators
from flask import request

from app.api.schemas import Strict
from app.services.errors import BadInput

DEFAULT_LIMIT = 5_000
MAX_LIMIT = 5_000
NEXT_HEADER = "X-Next-Cursor"
DESCRIPTION = (
    f" At most `limit` items (default {DEFAULT_LIMIT:,}, at most {MAX_LIMIT:,}); when more "
    'follow, a `Link` header with rel="next" names the next page and `X-Next-Cursor` its '
    "cursor, to pass as `after`."
)


class PageQuery(Strict):
    limit = fields.Integer(
        load_default=DEFAULT_LIMIT,
        validate=validators.Range(1, MAX_LIMIT),
        metadata={"description": f"items per page (default {DEFAULT_LIMIT}, at most {MAX_LIMIT})"},
    )
    after = fields.String(
        validate=validators.Length(1, 200),
        metadata={"description": "the cursor of the page to read: X-Next-Cursor of the last one"},
    )


def encode(key: Sequence) -> str:
    raw = json.dumps(list(key), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str | None, arity: int) -> tuple | None:
    """The sort key a cursor holds (None: the first page); 400 for one this API did not give."""
    if cursor is None:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError):
        key = None
    if (
        not isinstance(key, list)
        or len(key) != arity
        or not all(isinstance(part, int | str) and not isinstance(part, bool) for part in key)
    ):
        raise BadInput("bad_cursor", cursor=cursor)
    return tuple(key)


def after_key(query: dict, arity: int = 1) -> tuple | None:
    return decode(query.get("after"), arity)


def page(items: Sequence, query: dict, key: Callable) -> tuple[list, int, dict]:
    """A list already read whole (bounded by nature: a paper's rounds, versions…), cut to
    the page after the query's cursor; answers (items, 200, headers) for a view."""
    after = decode(query.get("after"), len(key(items[0])) if items else 1)
    if after is not None:
        try:
            items = [item for item in items if key(item) > after]
        except TypeError:  # a cursor of another list's key types
            raise BadInput("bad_cursor", cursor=query["after"]) from None
    return answer(list(items[: query["limit"] + 1]), query, key)


def answer(items: list, query: dict, key: Callable) -> tuple[list, int, dict]:
    """`items` read with limit + 1 (the extra one says that more follow) as a view's answer:
    (the page, 200, the headers naming the next page)."""
    limit = query["limit"]
    headers = {}
    if len(items) > limit:
        cursor = encode(key(items[limit - 1]))
        args = request.args.copy()
        args["after"] = cursor
        link = f"{request.base_url}?{urlencode(list(args.items(multi=True)))}"
        headers = {"Link": f'<{link}>; rel="next"', NEXT_HEADER: cursor}
    return items[:limit], 200, headers
