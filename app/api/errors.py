"""Every API error is JSON: {"error": {"code", "message", "details"}} with the right status."""

from __future__ import annotations

from apiflask import HTTPError
from flask import jsonify, request
from werkzeug.exceptions import HTTPException

from app.db import session
from app.errors import message, status_of
from app.models.immutability import ImmutableRecordError
from app.services import errors as domain
from app.services.revisions import StaleBase

HTTP_CODES = {
    400: "invalid",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "too_many_requests",
}


def error_response(status: int, message: str, details=None, code: str | None = None):
    body = {
        "error": {
            "code": code or HTTP_CODES.get(status, "error"),
            "message": message,
            "details": details or {},
        }
    }
    response = jsonify(body)
    response.status_code = status
    return response


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def domain_error(error: domain.DomainError):
    session.rollback()
    details = error.details
    if isinstance(error, StaleBase) and error.current is not None:
        from app.api.schemas import RevisionOut

        details = {**(details or {}), "current_revision": RevisionOut().dump(error.current)}
    return error_response(status_of(error), message(error, "en"), details, error.code)


def init_app(app, auth) -> None:
    @app.error_processor
    def _apiflask_error(error: HTTPError):
        # Validation errors from the schemas, and apiflask.abort().
        session.rollback()
        message = error.message or HTTP_CODES.get(error.status_code, "error")
        if error.status_code == 400 and error.detail:
            message = "the request is invalid: " + _summarise(error.detail)
        return error_response(error.status_code, message, error.detail)

    @auth.error_processor
    def _auth_error(error: HTTPError):
        return error_response(
            error.status_code, "a valid bearer token is required (Authorization: Bearer ...)"
        )

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        session.rollback()
        if not is_api_request():
            from app.web.errors import http_error_page

            return http_error_page(error)
        message = error.description or error.name
        details = getattr(error, "data", {}).get("messages") if hasattr(error, "data") else None
        if error.code == 400 and details and "json" in details:
            message = "the request body is not valid JSON"
        response = error_response(error.code or 500, message, details)
        if error.code == 405 and getattr(error, "valid_methods", None):
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    app.register_error_handler(domain.DomainError, _dispatch(domain_error))

    @app.errorhandler(ImmutableRecordError)
    def _immutable(error: ImmutableRecordError):
        session.rollback()
        return error_response(409, str(error), code="immutable")


def _dispatch(api_handler):
    """Domain errors on API paths become JSON; the web layer registers its own handling."""

    def handler(error):
        if is_api_request():
            return api_handler(error)
        from app.web.errors import domain_error_page

        return domain_error_page(error)

    return handler


def _summarise(detail) -> str:
    parts = []
    for location, fields in (detail or {}).items():
        if isinstance(fields, dict):
            for field, messages in fields.items():
                text = messages if isinstance(messages, str) else "; ".join(map(str, messages))
                parts.append(f"{field}: {text}")
        else:
            parts.append(f"{location}: {fields}")
    return ", ".join(parts) or "see details"
