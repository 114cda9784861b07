"""Seeding the shipped reference data and building the demo registry with its SHOWCASE."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date

import pytest
from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.orm import Session, selectinload

from app.demo.builder import build_demo_registry, registry_is_empty
from app.demo.showcase import SHOWCASE, SHOWCASE_CERTIFICATE_COUNT
from app.domain.names import fold_name
from app.domain.normalize import normalize_certificate_number
from app.models import (
    Accreditation,
    AccreditationBody,
    AccreditationStatusEvent,
    Base,
    Certificate,
    CertificateSite,
    CertificateStatusEvent,
    CertificationBody,
    MlaRecognition,
    Organization,
    Sector,
    Standard,
)
from app.reference import load_reference_data
from app.services.registry.seed import seed_reference_data

TODAY = date(2026, 11, 26)
DEMO_CERTIFICATES = 600
SECTORS, STANDARDS, ACCREDITATION_BODIES = 39, 33, 91


@pytest.fixture
def engine() -> Iterator[Engine]:
    """A fresh in-memory SQLite database with every table."""
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the fresh database."""
    with Session(engine) as session:
        yield session


@pytest.fixture
def demo(session: Session) -> Session:
    """A seeded registry with the demo built as of TODAY."""
    seed_reference_data(session)
    build_demo_registry(session, certificates=DEMO_CERTIFICATES, today=TODAY)
    return session


def _count(session: Session, model: type[Base]) -> int:
    """Rows of one table."""
    return session.scalar(select(func.count()).select_from(model)) or 0


def _status_at(
    events: Sequence[CertificateStatusEvent] | Sequence[AccreditationStatusEvent], day: date
) -> str | None:
    """DESIGN.md: the status at a date is the latest change effective on or before it."""
    current = [e for e in events if e.effective_from <= day]
    if not current:
        return None
    return max(current, key=lambda e: (e.effective_from, e.recorded_at)).status


def _certificates(session: Session, number: str) -> list[Certificate]:
    """Certificates carrying a number (any CB), with everything the checks read."""
    return list(
        session.scalars(
            select(Certificate)
            .where(Certificate.number_key == normalize_certificate_number(number))
            .options(
                selectinload(Certificate.certification_body),
                selectinload(Certificate.organization),
                selectinload(Certificate.standard),
                selectinload(Certificate.status_events),
                selectinload(Certificate.sites),
            )
        )
    )


def _one(session: Session, verdict: str) -> Certificate:
    """The single certificate of a SHOWCASE case."""
    certificates = _certificates(session, SHOWCASE[verdict].certificate_number)
    assert len(certificates) == 1, verdict
    return certificates[0]


def _accreditations(session: Session, cert: Certificate) -> list[Accreditation]:
    """The issuing CB's accreditations for the certificate's standard code."""
    return list(
        session.scalars(
            select(Accreditation)
            .where(
                Accreditation.certification_body_id == cert.certification_body_id,
                Accreditation.standard_code_key == cert.standard.code_key,
            )
            .options(
                selectinload(Accreditation.status_events),
                selectinload(Accreditation.accreditation_body).selectinload(
                    AccreditationBody.mla_scopes
                ),
            )
        )
    )


def _active_at(accreditation: Accreditation, day: date) -> bool:
    """DESIGN.md: active and within its validity on `day`."""
    within = accreditation.valid_from <= day and (
        accreditation.valid_until is None or day <= accreditation.valid_until
    )
    return within and _status_at(accreditation.status_events, day) == "active"


def _assert_clean_chain(session: Session, cert: Certificate) -> None:
    """Everything after the certificate itself passes: accreditation, sectors, MLA recognition."""
    accreditations = _accreditations(session, cert)
    assert any(_active_at(a, cert.issue_date) for a in accreditations)
    current = [a for a in accreditations if _active_at(a, TODAY)]
    assert current, cert.certificate_number
    accreditation = current[0]
    if cert.standard.uses_iaf_sectors:
        assert cert.sectors, "a sector-classified standard must declare sectors (else warn)"
        assert set(cert.sectors) <= set(accreditation.sectors)
    scopes = [
        scope
        for scope in accreditation.accreditation_body.mla_scopes
        if scope.standard_code_key == cert.standard.code_key
    ]
    assert any(scope.since is None or scope.since <= TODAY for scope in scopes)
    deadline = cert.standard.transition_deadline
    assert deadline is None or (deadline - TODAY).days > 180


# --- reference data and seed --------------------------------------------------------------------


def test_packaged_reference_data_has_every_kind_with_flags() -> None:
    """The shipped file keeps counts, sources and uncertainty flags (README: build from shared)."""
    data = load_reference_data()
    assert len(data["iaf_sectors"]) == SECTORS
    assert len(data["standards"]) == STANDARDS
    assert len(data["accreditation_bodies"]) == ACCREDITATION_BODIES
    assert {"uncertain", "mla_scopes_complete"} <= data["_meta"]["fields"].keys()
    assert all(not body["mla_scopes_complete"] for body in data["accreditation_bodies"])
    assert all(isinstance(s["edition"], str) for s in data["standards"])


def test_seed_creates_exact_counts(session: Session) -> None:
    """Seeding an empty registry creates 39 sectors, 33 editions and 91 ABs."""
    report = seed_reference_data(session)
    mla_total = sum(len(b["mla"]) for b in load_reference_data()["accreditation_bodies"])
    assert (report.sectors.created, report.standards.created) == (SECTORS, STANDARDS)
    assert report.accreditation_bodies.created == ACCREDITATION_BODIES
    assert report.mla_recognitions == mla_total
    assert _count(session, Sector) == SECTORS
    assert _count(session, Standard) == STANDARDS
    assert _count(session, AccreditationBody) == ACCREDITATION_BODIES
    assert _count(session, MlaRecognition) == mla_total


def test_seed_twice_leaves_everything_unchanged(session: Session) -> None:
    """Seeding is an idempotent upsert: a second run changes nothing."""
    seed_reference_data(session)
    session.commit()
    report = seed_reference_data(session)
    for counts, total in (
        (report.sectors, SECTORS),
        (report.standards, STANDARDS),
        (report.accreditation_bodies, ACCREDITATION_BODIES),
    ):
        assert (counts.created, counts.updated, counts.kept) == (0, 0, 0)
        assert counts.unchanged == total
    assert _count(session, AccreditationBody) == ACCREDITATION_BODIES


def test_seed_fills_columns_as_documented(session: Session) -> None:
    """code_key, edition text, deadlines, economy codes and MLA keys follow the column semantics."""
    seed_reference_data(session)
    isms_2013 = session.scalars(
        select(Standard).where(Standard.code_key == "ISO27001", Standard.edition == "2013")
    ).one()
    assert isms_2013.code == "ISO/IEC 27001"
    assert isms_2013.transition_deadline == date(2025, 10, 31)
    assert isms_2013.superseded_by == "ISO/IEC 27001:2022"
    assert not isms_2013.uses_iaf_sectors
    qms = session.scalars(
        select(Standard).where(Standard.code_key == "ISO9001", Standard.edition == "2015")
    ).one()
    assert qms.uses_iaf_sectors
    assert qms.superseded_by is None
    assert qms.uncertain
    assert qms.notes is not None
    assert "ISO 9001:2026" in qms.notes
    ukas = session.scalars(
        select(AccreditationBody)
        .where(AccreditationBody.acronym_key == "UKAS")
        .options(selectinload(AccreditationBody.mla_scopes))
    ).one()
    assert (ukas.economy, ukas.economy_name) == ("GB", "United Kingdom")
    assert ukas.reference_data
    assert not ukas.mla_scopes_complete
    assert "ISO27001" in {scope.standard_code_key for scope in ukas.mla_scopes}
    assert all(scope.source for scope in ukas.mla_scopes)


def test_seed_keeps_admin_managed_accreditation_body(session: Session) -> None:
    """An AB created or edited through the API (reference_data False) is never overwritten."""
    custom = AccreditationBody(
        acronym="UKAS",
        acronym_key="UKAS",
        name="UKAS as the admin entered it",
        economy="GB",
        mla_scopes_complete=True,
        reference_data=False,
        mla_scopes=[MlaRecognition(standard_code="ISO 9001", standard_code_key="ISO9001")],
    )
    session.add(custom)
    session.flush()
    report = seed_reference_data(session)
    assert report.accreditation_bodies.kept == 1
    assert report.accreditation_bodies.created == ACCREDITATION_BODIES - 1
    session.expire_all()
    kept = session.scalars(
        select(AccreditationBody)
        .where(AccreditationBody.acronym_key == "UKAS")
        .options(selectinload(AccreditationBody.mla_scopes))
    ).one()
    assert kept.name == "UKAS as the admin entered it"
    assert kept.mla_scopes_complete
    assert not kept.reference_data
    assert [scope.standard_code for scope in kept.mla_scopes] == ["ISO 9001"]


def test_seed_restores_changed_reference_body_and_its_mla(session: Session) -> None:
    """A reference AB that drifted from the file is updated and its MLA list replaced."""
    seed_reference_data(session)
    session.commit()
    sac = session.scalars(
        select(AccreditationBody)
        .where(AccreditationBody.acronym_key == "SAC")
        .options(selectinload(AccreditationBody.mla_scopes))
    ).one()
    expected = sorted(scope.standard_code_key for scope in sac.mla_scopes)
    original_name = sac.name
    sac.name = "Stale name"
    sac.mla_scopes = sac.mla_scopes[:1]
    session.commit()
    report = seed_reference_data(session)
    assert (report.accreditation_bodies.updated, report.accreditation_bodies.unchanged) == (
        1,
        ACCREDITATION_BODIES - 1,
    )
    session.commit()
    session.expire_all()
    sac = session.scalars(
        select(AccreditationBody)
        .where(AccreditationBody.acronym_key == "SAC")
        .options(selectinload(AccreditationBody.mla_scopes))
    ).one()
    assert sac.name == original_name
    assert sorted(scope.standard_code_key for scope in sac.mla_scopes) == expected


# --- demo registry ------------------------------------------------------------------------------


def test_demo_creates_exact_count_plus_showcase(demo: Session) -> None:
    """The demo holds exactly the requested certificates plus the 11 SHOWCASE certificates."""
    assert SHOWCASE_CERTIFICATE_COUNT == 11
    assert _count(demo, Certificate) == DEMO_CERTIFICATES + SHOWCASE_CERTIFICATE_COUNT == 611
    assert _count(demo, CertificationBody) == 12
    assert not registry_is_empty(demo)


def test_demo_report_matches_database(session: Session) -> None:
    """The report counts what was written; the demo seeds reference data itself when missing."""
    assert registry_is_empty(session)
    report = build_demo_registry(session, certificates=DEMO_CERTIFICATES, today=TODAY)
    assert _count(session, Standard) == STANDARDS
    assert report.certificates == _count(session, Certificate) == 611
    assert report.showcase_certificates == SHOWCASE_CERTIFICATE_COUNT
    assert report.organizations == _count(session, Organization)
    assert report.sites == _count(session, CertificateSite)
    assert report.status_events == _count(session, CertificateStatusEvent)
    assert report.accreditations == _count(session, Accreditation)
    assert sum(report.statuses.values()) == report.certificates


def _fingerprint(engine: Engine) -> set[tuple[str, str, str | None]]:
    """(CB, number_key, status as of TODAY) for every certificate."""
    with Session(engine) as session:
        seed_reference_data(session)
        build_demo_registry(session, certificates=DEMO_CERTIFICATES, today=TODAY, seed=11)
        session.commit()
        certificates = session.scalars(
            select(Certificate).options(
                selectinload(Certificate.status_events),
                selectinload(Certificate.certification_body),
            )
        ).all()
        return {
            (
                str(cert.certification_body.acronym),
                cert.number_key,
                _status_at(cert.status_events, TODAY),
            )
            for cert in certificates
        }


def test_demo_is_deterministic_for_seed_and_today() -> None:
    """Two builds on two fresh databases give the same numbers and statuses."""
    engines = [create_engine("sqlite://") for _ in range(2)]
    for engine in engines:
        Base.metadata.create_all(engine)
    first, second = (_fingerprint(engine) for engine in engines)
    assert first == second
    assert len(first) == 611


def test_demo_refuses_a_registry_with_certificates(demo: Session) -> None:
    """The demo never mixes into a registry that already holds certificates."""
    with pytest.raises(ValueError, match="already holds certificates"):
        build_demo_registry(demo, certificates=10, today=TODAY)


def test_demo_rows_follow_column_semantics(demo: Session) -> None:
    """Keys are normalised, sites number 1-3, sectors are IAF codes, histories start active."""
    certificates = demo.scalars(
        select(Certificate).options(
            selectinload(Certificate.sites),
            selectinload(Certificate.status_events),
            selectinload(Certificate.organization),
        )
    ).all()
    for cert in certificates:
        assert cert.number_key == normalize_certificate_number(cert.certificate_number)
        assert cert.organization.name_key == fold_name(cert.organization.name)
        assert 1 <= len(cert.sites) <= 3
        assert all(1 <= sector <= 39 for sector in cert.sectors)
        first = min(cert.status_events, key=lambda e: e.effective_from)
        assert (first.status, first.effective_from) == ("active", cert.issue_date)
        assert cert.original_issue_date is None or cert.original_issue_date <= cert.issue_date
        assert cert.organization.certification_body_id == cert.certification_body_id
    confidential = sum(cert.confidential for cert in certificates)
    assert 0 < confidential < len(certificates) * 0.05
    assert any(cert.organization.aliases for cert in certificates)


def test_demo_accreditation_stories(demo: Session) -> None:
    """One CB suspended, one withdrawn, one renewed with reduced sectors, one AB unconfirmed."""
    accreditations = demo.scalars(
        select(Accreditation).options(
            selectinload(Accreditation.status_events),
            selectinload(Accreditation.accreditation_body).selectinload(
                AccreditationBody.mla_scopes
            ),
        )
    ).all()
    acronyms = {cb.id: cb.acronym for cb in demo.scalars(select(CertificationBody))}
    by_cb: dict[str | None, list[Accreditation]] = {}
    for accreditation in accreditations:
        by_cb.setdefault(acronyms[accreditation.certification_body_id], []).append(accreditation)
    assert {_status_at(a.status_events, TODAY) for a in by_cb["TCS"]} == {"withdrawn"}
    adc = {a.standard_code: _status_at(a.status_events, TODAY) for a in by_cb["ADC"]}
    assert adc == {"ISO 9001": "active", "ISO 14001": "suspended"}
    kcs_9001 = sorted(
        (a for a in by_cb["KCS"] if a.standard_code_key == "ISO9001"), key=lambda a: a.valid_from
    )
    assert len(kcs_9001) == 2
    assert set(kcs_9001[1].sectors) < set(kcs_9001[0].sectors)
    swedac = by_cb["CERTA"][0].accreditation_body
    assert swedac.acronym == "SWEDAC"
    assert not swedac.mla_scopes_complete
    assert "ISO9001" not in {scope.standard_code_key for scope in swedac.mla_scopes}


# --- the showcase, exactly per DESIGN.md rules --------------------------------------------------


def test_showcase_numbers_are_unique_except_ambiguous(demo: Session) -> None:
    """Each showcase number exists once (twice for ambiguous, never for not_found)."""
    for name, case in SHOWCASE.items():
        certificates = _certificates(demo, case.certificate_number)
        acronyms = sorted(str(cert.certification_body.acronym) for cert in certificates)
        assert acronyms == sorted(case.holders), name
        if case.certification_body is not None and name != "not_found":
            assert acronyms == [case.certification_body], name


def test_showcase_not_found_names_a_publishing_cb(demo: Session) -> None:
    """not_found: the number is absent but the named CB publishes to this registry."""
    case = SHOWCASE["not_found"]
    assert _certificates(demo, case.certificate_number) == []
    assert demo.scalars(
        select(CertificationBody).where(CertificationBody.acronym_key == case.certification_body)
    ).one()


def test_showcase_ambiguous_number_is_held_by_exactly_two_cbs(demo: Session) -> None:
    """ambiguous: the same number key at two CBs, each certificate valid on its own."""
    certificates = _certificates(demo, SHOWCASE["ambiguous"].certificate_number)
    assert len({cert.certification_body_id for cert in certificates}) == 2
    for cert in certificates:
        assert _status_at(cert.status_events, TODAY) == "active"
        assert cert.issue_date <= TODAY <= cert.expiry_date
        _assert_clean_chain(demo, cert)


def test_showcase_valid_has_no_warning_cause(demo: Session) -> None:
    """valid: active, inside validity with more than 90 days left, chain clean, no deadline."""
    cert = _one(demo, "valid")
    assert _status_at(cert.status_events, TODAY) == "active"
    assert (cert.original_issue_date or cert.issue_date) <= TODAY
    assert (cert.expiry_date - TODAY).days > 90
    assert cert.standard.label == "ISO 9001:2015"
    assert cert.certification_body.acronym == "NBC"
    _assert_clean_chain(demo, cert)


def test_showcase_valid_with_warnings_expires_within_90_days(demo: Session) -> None:
    """valid with warnings: expiry 0..90 days after TODAY, everything else clean."""
    cert = _one(demo, "valid_with_warnings")
    assert _status_at(cert.status_events, TODAY) == "active"
    assert 0 < (cert.expiry_date - TODAY).days <= 90
    assert SHOWCASE["valid_with_warnings"].warnings
    _assert_clean_chain(demo, cert)


@pytest.mark.parametrize("verdict", ["withdrawn", "suspended"])
def test_showcase_status_at_today(demo: Session, verdict: str) -> None:
    """withdrawn / suspended: the latest status change on or before TODAY."""
    cert = _one(demo, verdict)
    assert _status_at(cert.status_events, TODAY) == verdict
    assert cert.issue_date <= TODAY <= cert.expiry_date
    _assert_clean_chain(demo, cert)


def test_showcase_expired(demo: Session) -> None:
    """expired: printed expiry before TODAY while the certificate stayed active."""
    cert = _one(demo, "expired")
    assert cert.expiry_date < TODAY
    assert _status_at(cert.status_events, TODAY) == "active"


def test_showcase_not_yet_valid(demo: Session) -> None:
    """not_yet_valid: the (original) issue date is after TODAY."""
    cert = _one(demo, "not_yet_valid")
    assert (cert.original_issue_date or cert.issue_date) > TODAY
    assert _status_at(cert.status_events, TODAY) is None
    _assert_clean_chain(demo, cert)


def test_showcase_outdated_standard(demo: Session) -> None:
    """outdated_standard: ISO/IEC 27001:2013 printing an expiry after its 2025-10-31 deadline."""
    cert = _one(demo, "outdated_standard")
    assert cert.standard.label == "ISO/IEC 27001:2013"
    deadline = cert.standard.transition_deadline
    assert deadline == date(2025, 10, 31) < TODAY <= cert.expiry_date
    assert cert.issue_date <= date(2024, 4, 30)
    assert _status_at(cert.status_events, TODAY) == "active"


def test_showcase_not_accredited(demo: Session) -> None:
    """not_accredited: accredited at issue, accreditation withdrawn before TODAY."""
    cert = _one(demo, "not_accredited")
    assert _status_at(cert.status_events, TODAY) == "active"
    assert cert.issue_date <= TODAY <= cert.expiry_date
    assert cert.standard.transition_deadline is None
    accreditations = _accreditations(demo, cert)
    assert any(_active_at(a, cert.issue_date) for a in accreditations)
    assert not any(_active_at(a, TODAY) for a in accreditations)
    assert {_status_at(a.status_events, TODAY) for a in accreditations} == {"withdrawn"}


def test_showcase_mismatch_claim_differs_from_every_name(demo: Session) -> None:
    """mismatch: a valid certificate whose holder and aliases differ from the documented claim."""
    case = SHOWCASE["mismatch"]
    cert = _one(demo, "mismatch")
    assert case.claimed_organization is not None
    names = [cert.organization.name, *cert.organization.aliases]
    assert fold_name(case.claimed_organization) not in {fold_name(name) for name in names}
    assert _status_at(cert.status_events, TODAY) == "active"
    assert (cert.expiry_date - TODAY).days > 90
    _assert_clean_chain(demo, cert)
