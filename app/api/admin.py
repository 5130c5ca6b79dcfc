"""Administration: the e-mail domains open to self-registration (admins only)."""

from apiflask import Schema, fields
from apiflask.validators import Length
from flask import current_app

from app.api import bp, current_user
from app.api.schemas import Strict
from app.services import self_registration

TAGS = ["Administration"]


class DomainIn(Strict):
    domain = fields.String(
        required=True, validate=Length(1, 253), metadata={"example": "unesco.org"}
    )
    sector = fields.String(
        required=True,
        validate=Length(1, 16),
        metadata={"description": "the sector of the accounts it creates", "example": "CLT"},
    )


class DomainOut(Schema):
    id = fields.Integer(
        allow_none=True, metadata={"description": "null: set by the server's environment"}
    )
    domain = fields.String()
    sector = fields.String()
    source = fields.String(metadata={"description": "admin | environment"})


def _out(entry) -> dict:
    record = entry.record
    return {
        "id": record.id if record else None,
        "domain": entry.domain,
        "sector": entry.sector.code,
        "source": "admin" if record else "environment",
    }


def _configured() -> dict[str, str]:
    return current_app.config.get("OIDC_SELF_REGISTRATION", {})


@bp.get("/admin/self-registration-domains")
@bp.output(DomainOut(many=True))
@bp.doc(
    tags=TAGS,
    summary="The e-mail domains whose people may create their account on first organisation "
    "sign-in (the admin's, and those PLUME_OIDC_SELF_REGISTRATION names)",
)
def list_self_registration_domains():
    return [_out(entry) for entry in self_registration.list_domains(current_user(), _configured())]


@bp.post("/admin/self-registration-domains")
@bp.input(DomainIn, arg_name="data")
@bp.output(DomainOut, status_code=201)
@bp.doc(tags=TAGS, summary="Open an e-mail domain to self-registration, in a sector")
def add_self_registration_domain(data):
    record = self_registration.add_domain(data["domain"], data["sector"], actor=current_user())
    return _out(self_registration.OpenDomain(record.domain, record.sector, record))


@bp.delete("/admin/self-registration-domains/<int:domain_id>")
@bp.output({}, status_code=204)
@bp.doc(tags=TAGS, summary="Close a domain an admin opened")
def remove_self_registration_domain(domain_id: int):
    self_registration.remove_domain(domain_id, actor=current_user())
    return ""
