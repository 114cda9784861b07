"""Which body an import or export acts for: the key's own binding, or the body an admin names."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.errors import Forbidden, ValidationProblem
from app.models import AccreditationBody, CertificationBody
from app.repositories.bodies import (
    accreditation_body_by_acronym,
    find_certification_body,
    get_accreditation_body,
    get_certification_body,
    parse_uuid,
)
from app.services.auth import Principal, Role


def acting_certification_body(
    session: Session, *, principal: Principal, reference: str | None
) -> CertificationBody:
    """The CB an import or export acts for: the key's binding, or the named CB for admins."""
    principal.require(Role.ADMIN, Role.CERTIFICATION_BODY)
    cb: CertificationBody | None
    if reference is None:
        if principal.role is not Role.CERTIFICATION_BODY:
            raise ValidationProblem.field(
                "/certification_body", "is required for admin keys (id, acronym or name)"
            )
        assert principal.body_id is not None
        cb = get_certification_body(session, principal.body_id)
    else:
        cb = find_certification_body(session, reference)
        if cb is None:
            raise ValidationProblem.field("/certification_body", "no such certification body")
    if cb is None or not principal.acts_for_certification_body(cb.id):
        raise Forbidden("This key may only import or export its own certification body's data.")
    return cb


def acting_accreditation_body(
    session: Session, *, principal: Principal, reference: str | None
) -> AccreditationBody:
    """The AB an accreditation import acts for: the key's binding, or the named AB for admins."""
    principal.require(Role.ADMIN, Role.ACCREDITATION_BODY)
    if reference is None:
        if principal.role is not Role.ACCREDITATION_BODY or principal.body_id is None:
            raise ValidationProblem.field(
                "/accreditation_body", "is required for admin keys (id or acronym)"
            )
        ab = get_accreditation_body(session, principal.body_id)
    else:
        as_id = parse_uuid(reference)
        ab = (
            get_accreditation_body(session, as_id)
            if as_id
            else accreditation_body_by_acronym(session, reference)
        )
        if ab is None:
            raise ValidationProblem.field("/accreditation_body", "no such accreditation body")
    if ab is None or not principal.acts_for_accreditation_body(ab.id):
        raise Forbidden("This key may only import its own accreditation body's accreditations.")
    return ab
