"""Domain errors. The services raise these; app/errors.py turns them into words and statuses.

A refusal is named by a stable `reason` ("rationale_required") with the `params` its sentence
needs (`decision="rejected"`). The sentence itself, in English and French, lives at the edge
(app/errors.py `MESSAGES`): a service never builds English for a person to read.

    raise Invalid("rationale_required", decision=decision)
    raise Forbidden("freeze_versions")

The class says what kind of refusal it is, and so the HTTP status (app/errors.py `STATUS`).
The API's `code` is the reason, except for Forbidden and NotFound, whose code stays
"forbidden" / "not_found" (a client branches on those; the reason is in the message).
`details` is what the API returns beside the message: the params, unless given.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "error"
    # Whether the API's code is the reason (True) or always the class's code.
    names_reason = True

    def __init__(self, reason: str | None = None, /, details: Any = None, **params: Any):
        self.reason = reason or self.code
        if self.names_reason:
            self.code = self.reason
        self.params = params
        self.details = params if details is None else details
        super().__init__(self.reason)

    @property
    def message(self) -> str:
        """The English sentence (logs, the command line)."""
        from app.errors import message

        return message(self, "en", reveal=True)

    def __str__(self) -> str:
        return self.message


class NotFound(DomainError):
    """Says nothing of what exists: every reason reads "not found" to the user."""

    code = "not_found"
    names_reason = False

    def __init__(self, reason: str | None = None, /, details: Any = None, **params: Any):
        # The params (the id looked for) are for logs and the command line, not the API.
        super().__init__(reason, {} if details is None else details, **params)


class Forbidden(DomainError):
    """The user may not do this; the reason says what they tried."""

    code = "forbidden"
    names_reason = False


class Conflict(DomainError):
    """The request is fine but the state has moved on (a stale base, a frozen record)."""

    code = "conflict"


class InvalidTransition(Conflict):
    """A move the workflow does not make; the API's code stays "invalid_transition"."""

    code = "invalid_transition"
    names_reason = False


class Invalid(DomainError):
    """Well-formed input that the domain cannot accept (a quote that is not in the text)."""

    code = "unprocessable"


class BadInput(DomainError):
    """Input that is wrong on its face (a malformed file, an unknown code)."""

    code = "invalid"


class TooLarge(DomainError):
    """An upload bigger than the service takes."""

    code = "too_large"
