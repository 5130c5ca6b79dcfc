"""Domain errors. The services raise these; the API and web layers translate them."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "error"

    def __init__(self, message: str, details: Any = None):
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(DomainError):
    code = "not_found"


class Forbidden(DomainError):
    code = "forbidden"


class Conflict(DomainError):
    """The request is fine but the state has moved on (a stale base, a frozen record)."""

    code = "conflict"


class InvalidTransition(Conflict):
    code = "invalid_transition"


class Invalid(DomainError):
    """Well-formed input that the domain cannot accept (a quote that is not in the text)."""

    code = "unprocessable"


class BadInput(DomainError):
    """Input that is wrong on its face (a malformed file, an unknown code)."""

    code = "invalid"
