"""E-mail domains whose people may create their own account on their first sign-in with the
organisation's OpenID Connect provider, and the sector such an account joins.

Two sources, merged: the domains an admin adds and removes (the `self_registration_domains`
table, each change in the activity log), and the ones the environment names
(PLUME_OIDC_SELF_REGISTRATION="domain=SECTOR,...", read at start-up, shown to the admin but
changed only where they are set). A domain in both joins the sector the admin chose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select

from app.db import session
from app.models import ActivityAction, Sector, SelfRegistrationDomain, User
from app.services import activity, users
from app.services.errors import BadInput, Conflict, NotFound

# A host name: labels of letters, digits and hyphens, at least one dot, at most 253 characters.
_DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


@dataclass(frozen=True)
class OpenDomain:
    domain: str
    sector: Sector
    record: SelfRegistrationDomain | None  # None: from the environment


def normalise(domain: str) -> str:
    domain = (domain or "").strip().lower().lstrip("@")
    if not _DOMAIN.match(domain):
        raise BadInput("self_registration_domain", domain=domain[:100])
    return domain


def list_domains(actor: User, configured: dict[str, str]) -> list[OpenDomain]:
    """Every open domain, the admin's and the environment's (`configured`), by domain."""
    users.require_admin(actor, "list self-registration domains")
    stored = {
        record.domain: OpenDomain(record.domain, record.sector, record)
        for record in session.scalars(select(SelfRegistrationDomain))
    }
    sectors = {sector.code: sector for sector in session.scalars(select(Sector))}
    from_environment = {
        domain: OpenDomain(domain, sectors[code], None)
        for domain, code in configured.items()
        if code in sectors and domain not in stored
    }
    return sorted({**from_environment, **stored}.values(), key=lambda entry: entry.domain)


def add_domain(domain: str, sector_code: str, *, actor: User) -> SelfRegistrationDomain:
    users.require_admin(actor, "open a domain to self-registration")
    domain = normalise(domain)
    sector = users.get_sector(sector_code or "")
    taken = session.scalar(
        select(SelfRegistrationDomain).where(SelfRegistrationDomain.domain == domain)
    )
    if taken is not None:
        raise Conflict("self_registration_domain_taken", domain=domain)
    record = SelfRegistrationDomain(domain=domain, sector=sector, created_by_id=actor.id)
    session.add(record)
    session.flush()
    activity.record(
        actor,
        ActivityAction.SELF_REGISTRATION_DOMAIN_ADDED,
        record,
        after={"domain": domain, "sector": sector.code},
    )
    return record


def remove_domain(domain_id: int, *, actor: User) -> None:
    users.require_admin(actor, "close a domain to self-registration")
    record = session.get(SelfRegistrationDomain, domain_id)
    if record is None:
        raise NotFound("self_registration_domain")
    activity.record(
        actor,
        ActivityAction.SELF_REGISTRATION_DOMAIN_REMOVED,
        record,
        before={"domain": record.domain, "sector": record.sector.code},
    )
    session.delete(record)
    session.flush()


def sector_for(email: str, configured: dict[str, str]) -> str | None:
    """The sector code a new account with this e-mail joins, or None: not open."""
    domain = email.rsplit("@", 1)[-1].strip().lower()
    stored = session.scalar(
        select(SelfRegistrationDomain).where(func.lower(SelfRegistrationDomain.domain) == domain)
    )
    if stored is not None:
        return stored.sector.code
    return configured.get(domain)
