"""What any request may carry, checked once before a view runs (the API and the web alike).

- Text: no NUL byte, other control character or lone surrogate in any field (query, form
  or JSON): some output (PostgreSQL, a .docx) cannot hold them: 422 naming the field.
- JSON: nested at most MAX_JSON_DEPTH levels (400); deeper would exhaust the parser's stack.
- Ids: an id beyond the database's integer range, in a path, a body or a query, is a 404
  like any other missing object.
- A body without a length (chunked) larger than MAX_CONTENT_LENGTH is a 413, as one with it.
"""

from __future__ import annotations

import json
import re

from flask import current_app, request
from sqlalchemy.exc import DataError
from werkzeug.exceptions import RequestEntityTooLarge

from app.services.errors import BadInput, Invalid, NotFound

MAX_ID = 2**31 - 1  # PostgreSQL's integer, the ids' type
MAX_JSON_DEPTH = 32
# Where to go after a form: a bad value is ignored there (app/web/forms.py safe_next).
IGNORED = {"next"}
# NUL and the other C0 controls but tab and newlines (XML, so DOCX, cannot hold them),
# lone surrogates (UTF-8 cannot encode them), and the two non-characters XML refuses.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _bad_text(value: str) -> bool:
    return _FORBIDDEN.search(value) is not None


def _walk(value, path: str, depth: int = 1) -> None:
    """Check every string (keys too) of a parsed JSON value, without recursion."""
    stack = [(value, path, depth)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise BadInput("json_too_deep", limit=MAX_JSON_DEPTH)
        if isinstance(value, str):
            if _bad_text(value):
                raise Invalid("text_forbidden_character", field=path or "body")
        elif isinstance(value, dict):
            for key, item in value.items():
                name = f"{path}.{key}" if path else str(key)
                if _bad_text(key):
                    raise Invalid("text_forbidden_character", field=path or "body")
                stack.append((item, name, depth + 1))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                stack.append((item, f"{path}[{index}]", depth + 1))


def _body_size_checked() -> bytes:
    """The body, read at most MAX_CONTENT_LENGTH bytes far (chunked bodies included)."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and request.content_length is None:
        chunks, size = [], 0
        while size < limit and (chunk := request.stream.read(min(1 << 16, limit - size))):
            chunks.append(chunk)
            size += len(chunk)
        data = b"".join(chunks)
        if size >= limit and request.stream.read(1):  # werkzeug raises 413 past the limit
            raise RequestEntityTooLarge()
        # Keep it for whoever reads the body next (forms, JSON).
        request._cached_data = data
        return data
    return request.get_data(cache=True)


def check_request() -> None:
    """Refuse what no view or output can hold; runs before every view."""
    # Checked here rather than by the URL converter: a rule that fails its converter makes
    # werkzeug answer 405 when the same path has other methods.
    for value in (request.view_args or {}).values():
        if isinstance(value, int) and value > MAX_ID:
            raise NotFound("not_found")
    for name, value in request.args.items(multi=True):
        if name in IGNORED:
            continue
        if _bad_text(name) or _bad_text(value):
            raise Invalid("text_forbidden_character", field=name)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    data = _body_size_checked()
    if request.mimetype == "application/json" or request.mimetype.endswith("+json"):
        if not data:
            return
        try:
            parsed = json.loads(data)
        except RecursionError:
            raise BadInput("json_too_deep", limit=MAX_JSON_DEPTH) from None
        except ValueError:
            return  # the view's parser answers with its own 400
        _walk(parsed, "")
    elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for name, value in request.form.items(multi=True):
            if name in IGNORED:
                continue
            if _bad_text(name) or _bad_text(value):
                raise Invalid("text_forbidden_character", field=name)


def _out_of_range(error):
    """An id (or number) beyond the database's range in a body or query: nothing has it."""
    if isinstance(error, DataError) and "out of range" not in str(error.orig):
        raise error
    return current_app.handle_user_exception(NotFound("not_found"))


def init_app(app) -> None:
    app.before_request(check_request)
    app.register_error_handler(OverflowError, _out_of_range)
    app.register_error_handler(DataError, _out_of_range)
