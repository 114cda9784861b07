"""The chain section (issue 17, item 4): the named accreditation body judged from reference
data (recognised by the engine's rule, or a known look-alike of the sourced list, matched on
full name and country, never on an acronym alone), the named certification body known and
accredited; `chain` on every `not_found` that names either, through the API, the CLI, batches,
and identically from the fact cache."""

from __future__ import annotations

import importlib.util
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.db import make_engine
from app.domain.chain import (
    ChainQuestion,
    ChainReference,
    check_chain,
    identify_accreditation_body,
    read_named_body,
)
from app.domain.facts import (
    AccreditationBodyFact,
    AccreditationFact,
    CertificationBodyFact,
    MlaScopeFact,
    RecognitionArrangement,
    Status,
    StatusEvent,
)
from app.reference import load_lookalike_bodies, load_reference_data
from app.schemas.verification import VerificationRequestIn
from app.services.verification import cache as fact_cache
from app.services.verification.answer import verify_certificate, verify_from_cache
from app.services.verification.cache import configure_cache
from app.services.verification.fact_mapping import listed_bodies, recognition_arrangements
from app.services.verification.receipts import reset_key_cache
from tests.conftest import seeded_database
from tests.factories import accredit, make_cb, make_certificate, reference_ab

AS_OF = date(2026, 11, 26)
GLOBAL_ACI = "check it on the Global ACI list of signatories (https://global-aci.org)"
NOT_CONFIRMED = (
    " from this service's reference data, which lists only the scopes its sources confirm; "
    + GLOBAL_ACI
)
RIVAL = (
    "it runs its own rival recognition arrangement, while the IAF MLA (now the Global ACI MRA) "
    "recognises only the six regional groups AFRAC, ARAC, APAC, EA, IAAC and SADCA"
)


def _shipped_bodies() -> tuple[AccreditationBodyFact, ...]:
    """The shipped reference ABs as facts (what `certverify seed` loads)."""

    def day(value: str | None) -> date | None:
        return date.fromisoformat(value) if value else None

    return tuple(
        AccreditationBodyFact(
            id=item["acronym"],
            acronym=item["acronym"],
            name=item["name"],
            economy=item["economy"],
            mla_scopes=tuple(
                MlaScopeFact(scope["standard"], day(scope["since"]), day(scope["until"]))
                for scope in item["mla"]
            ),
            mla_scopes_complete=item["mla_scopes_complete"],
        )
        for item in load_reference_data()["accreditation_bodies"]
    )


SHIPPED = ChainReference(
    accreditation_bodies=_shipped_bodies(),
    listed=listed_bodies(),
    outside_mla_scope=frozenset({"ISO22301"}),
    arrangements=recognition_arrangements(),
)


def _ab(named: str, standard: str | None = "ISO 14001", reference: ChainReference = SHIPPED) -> Any:
    question = ChainQuestion(as_of=AS_OF, accreditation_body=named, standard=standard)
    return check_chain(question, reference).accreditation_body


def _by_classification(label: str) -> list[Any]:
    return [entry for entry in listed_bodies() if entry.classification == label]


# --- the shipped list -----------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]


def _builder() -> ModuleType:
    """scripts/build_reference_data.py as a module (it is run by hand, not installed)."""
    spec = importlib.util.spec_from_file_location(
        "build_reference_data", ROOT / "scripts" / "build_reference_data.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _source_of_shipped() -> list[dict[str, Any]]:
    """The list's entries as the source writes them, recovered from the shipped file (which
    keeps every source field)."""
    return [
        {
            "name": body["name"],
            "acronyms": body["acronyms"],
            "claims": body["claims"],
            "is_mla_signatory": body["is_mla_signatory"],
            "evidence": body["evidence"],
            "confidence": body["confidence"],
            "notes": body["notes"] or "",
        }
        for body in load_lookalike_bodies()["bodies"]
    ]


def test_the_shipped_list_is_what_the_build_makes(tmp_path: Path) -> None:
    """Built again from its own entries, the shipped file's bodies come out the same: every
    entry curated, its evidence kept."""
    source = tmp_path / "lookalikes.json"
    source.write_text(json.dumps(_source_of_shipped()), encoding="utf-8")
    built = _builder().build_lookalikes(source)
    assert built["bodies"] == load_lookalike_bodies()["bodies"]
    assert built["_meta"]["counts"] == load_lookalike_bodies()["_meta"]["counts"]


def test_the_build_refuses_an_entry_nobody_classified(tmp_path: Path) -> None:
    """A new entry of the list must be curated (group, countries) before it ships."""
    entries = _source_of_shipped()
    entries.append({**entries[0], "name": "World Accreditation Council"})
    source = tmp_path / "lookalikes.json"
    source.write_text(json.dumps(entries), encoding="utf-8")
    with pytest.raises(SystemExit, match="not curated \\['World Accreditation Council'\\]"):
        _builder().build_lookalikes(source)


def test_the_shipped_list_keeps_every_entry_with_its_classification_and_sources() -> None:
    """The built file holds the list's 49 entries (22 look-alikes, 12 legitimate bodies easily
    confused with them, 15 unresolved), each with its evidence URLs and a group for each
    look-alike (scripts/build_reference_data.py --lookalikes)."""
    data = load_lookalike_bodies()
    assert data["_meta"]["counts"] == {
        "bodies": 49,
        "look-alike": 22,
        "legitimate-but-confusable": 12,
        "unresolved": 15,
    }
    assert data["_meta"]["built_by"] == "scripts/build_reference_data.py --lookalikes"
    assert {body["name"] for body in data["bodies"]} == set(_builder().LOOKALIKE_CURATION)
    for body in data["bodies"]:
        assert body["evidence"], body["name"]
        assert all(item["url"].startswith("http") for item in body["evidence"])
        assert (
            body["classification"]
            == {
                False: "look-alike",
                True: "legitimate-but-confusable",
                None: "unresolved",
            }[body["is_mla_signatory"]]
        )
        assert (body["group"] is not None) == (body["classification"] == "look-alike")
    sac = next(b for b in data["bodies"] if b["name"] == "Singapore Accreditation Council")
    assert sac["evidence"][0]["url"].startswith("https://github.com/isomerpages/enterprisesg")
    assert sac["countries"] == ["SG"]


@pytest.mark.parametrize(
    ("listed", "acronyms", "names", "countries"),
    [
        ("IAAB (iaab.us)", ["IAAB"], [], []),
        ("i-NAF", ["i-NAF"], [], []),
        (
            "International Accreditation Service (USA)",
            ["IAS"],
            ["International Accreditation Service"],
            ["US"],
        ),
        (
            "IQNet (The International Certification Network)",
            ["IQNet"],
            ["The International Certification Network"],
            [],
        ),
        (
            "European Union Accreditation Agency / Brussels Accreditation Authority",
            ["EUAA", "BAAC"],
            ["European Union Accreditation Agency", "Brussels Accreditation Authority"],
            [],
        ),
        ("AGSCB (site iafcb.uk)", ["AGSCB"], [], []),
    ],
)
def test_the_build_reads_full_names_and_countries_from_a_listed_name(
    listed: str, acronyms: list[str], names: list[str], countries: list[str]
) -> None:
    """Web addresses are dropped, a country in parentheses is a country, and a name that is
    one of the entry's acronyms is no full name."""
    assert _builder().lookalike_names(listed, acronyms) == (names, countries)


def test_reading_a_named_body_separates_acronym_and_country() -> None:
    """ "Name (ACR), Country" and "accredited by" are read as printed."""
    read = read_named_body("accredited by International Accreditation Service, Inc. (IAS), USA")
    assert (read.name, read.acronym, read.country) == (
        "International Accreditation Service, Inc.",
        "IAS",
        "US",
    )
    read = read_named_body("Accreditation Services for Certifying Bodies (Europe)")
    assert (read.name, read.other_names, read.acronym) == (
        "Accreditation Services for Certifying Bodies",
        ("Europe",),
        None,
    )


# --- look-alikes ----------------------------------------------------------------------------------


def test_a_lookalike_named_in_full_is_flagged_with_its_reason_and_source() -> None:
    """A rival "MLA" named by its full name: not recognised, a look-alike, with the IAF page of
    the six regional groups as the source."""
    finding = _ab("International Accreditation Council")
    assert (finding.recognised, finding.lookalike) == (False, True)
    assert finding.message == (
        '"International Accreditation Council" is International Accreditation Council, a known '
        f"look-alike accreditation body: {RIVAL}. Accreditation by it carries no MLA "
        "recognition (source: https://iaf.nu/en/signatories-to-the-iaf-mla-2023/)"
    )


@pytest.mark.parametrize(
    "name",
    [name for entry in _by_classification("look-alike") for name in entry.names],
)
def test_every_lookalike_full_name_is_flagged(name: str) -> None:
    """Every full name of every look-alike, however the case and legal form are written."""
    for written in (name, name.upper(), f"{name} Ltd"):
        finding = _ab(written)
        assert (finding.recognised, finding.lookalike) == (False, True), written


def test_the_lookalikes_with_full_names_are_the_expected_ones() -> None:
    """17 of the 22 look-alikes have a full name in the list; the other 5 are known only by
    acronyms (i-NAF, IAAB, AGSCB, ASCAB, UK-ABCB, USAS... minus those the list names)."""
    nameless = sorted(entry.name for entry in _by_classification("look-alike") if not entry.names)
    assert nameless == [
        "AGSCB (site iafcb.uk)",
        "ASCAB",
        "IAAB (iaab.us)",
        "UK-ABCB",
        "USAS (usaaccreditation.com)",
        "i-NAF",
    ]


@pytest.mark.parametrize(
    "acronym",
    sorted({a for entry in _by_classification("look-alike") for a in entry.acronyms}),
)
def test_an_acronym_alone_never_flags_a_body(acronym: str) -> None:
    """Every acronym of every look-alike, alone: never flagged ("Match on full name plus
    country, never acronym alone")."""
    finding = _ab(acronym)
    assert finding.lookalike is False
    assert finding.recognised in (None, True)


def test_an_acronym_of_a_lookalike_alone_says_what_it_may_be() -> None:
    """ "ISO" alone: not flagged, but the message says whose acronym it is and why that body is
    listed."""
    finding = _ab("ISO")
    assert (finding.recognised, finding.lookalike) == (None, False)
    assert finding.message == (
        '"ISO" is only an acronym, that of International Organization for Standardization, a '
        "known look-alike (it is not an accreditation body at all). An acronym alone does not "
        "identify an accreditation body, so it is not flagged: give the full name printed on "
        "the certificate"
    )


def test_a_lookalike_named_with_another_country_is_not_that_lookalike() -> None:
    """The list places the UK Akkreditation and Certification Board in GB: the same name with
    another country is not matched to it (cannot tell)."""
    assert _ab("UK Akkreditation and Certification Board Limited (GB)").lookalike is True
    finding = _ab("UK Akkreditation and Certification Board Limited (India)")
    assert (finding.recognised, finding.lookalike) == (None, False)


# --- legitimate bodies easily confused ----------------------------------------------------------


@pytest.mark.parametrize(
    ("named", "standard", "recognised", "message"),
    [
        (
            "Singapore Accreditation Council",
            "ISO 14001",
            True,
            '"Singapore Accreditation Council" is SAC (Singapore Accreditation Council, SG), an '
            "accreditation body of this service's reference data: on 2026-11-26, SAC is "
            "recognised under the Global ACI MRA for ISO 14001 since 2017-07-27",
        ),
        (
            "SAC (Singapore)",
            "ISO 14001",
            True,
            '"SAC (Singapore)" is SAC (Singapore Accreditation Council, SG), an accreditation '
            "body of this service's reference data: on 2026-11-26, SAC is recognised under the "
            "Global ACI MRA for ISO 14001 since 2017-07-27",
        ),
        (
            "Saudi Accreditation Center",
            "ISO 9001",
            None,
            '"Saudi Accreditation Center" is SAAC (Saudi Accreditation Center, SA), an '
            "accreditation body of this service's reference data: MLA recognition of SAAC for "
            "ISO 9001 could not be confirmed" + NOT_CONFIRMED,
        ),
        (
            "Egyptian Accreditation Council",
            "ISO 9001:2015",
            True,
            '"Egyptian Accreditation Council" is EGAC (Egyptian Accreditation Council, EG), an '
            "accreditation body of this service's reference data: on 2026-11-26, EGAC is "
            "recognised under the Global ACI MRA for ISO 9001",
        ),
        (
            "Emirates International Accreditation Centre (EIAC)",
            "ISO 9001",
            None,
            '"Emirates International Accreditation Centre (EIAC)" is EIAC (Emirates '
            "International Accreditation Centre, AE), an accreditation body of this service's "
            "reference data: MLA recognition of EIAC for ISO 9001 could not be confirmed"
            + NOT_CONFIRMED,
        ),
        (
            "Dubai Accreditation Center",
            "ISO 9001",
            None,
            '"Dubai Accreditation Center" is EIAC (Emirates International Accreditation Centre, '
            "AE), an accreditation body of this service's reference data: MLA recognition of "
            "EIAC for ISO 9001 could not be confirmed" + NOT_CONFIRMED,
        ),
        (
            "International Accreditation Service, Inc. (USA)",
            "ISO 9001",
            None,
            '"International Accreditation Service, Inc. (USA)" is IAS (International '
            "Accreditation Service, US), an accreditation body of this service's reference "
            "data: MLA recognition of IAS for ISO 9001 could not be confirmed" + NOT_CONFIRMED,
        ),
        (
            "IAS",
            "ISO 9001",
            None,
            '"IAS" is IAS (International Accreditation Service, US), an accreditation body of '
            "this service's reference data: MLA recognition of IAS for ISO 9001 could not be "
            "confirmed" + NOT_CONFIRMED,
        ),
        (
            "United Kingdom Accreditation Service",
            "ISO/IEC 27001:2022",
            True,
            '"United Kingdom Accreditation Service" is UKAS (United Kingdom Accreditation '
            "Service, GB), an accreditation body of this service's reference data: on "
            "2026-11-26, UKAS is recognised under the Global ACI MRA for ISO/IEC 27001",
        ),
    ],
)
def test_confusable_legitimate_bodies_resolve_to_themselves(
    named: str, standard: str, recognised: bool | None, message: str
) -> None:
    """EIAC, EGAC, SAC (Singapore), SAAC (Saudi), IAS, UKAS: themselves, judged by the engine's
    recognition rule on the shipped scopes, never flagged."""
    finding = _ab(named, standard)
    assert (finding.recognised, finding.lookalike, finding.message) == (
        recognised,
        False,
        message,
    )


@pytest.mark.parametrize(
    "name",
    [
        name
        for entry in _by_classification("legitimate-but-confusable")
        for name in (*entry.names, *entry.acronyms)
    ],
)
def test_no_legitimate_body_is_ever_flagged(name: str) -> None:
    """Every name and acronym of the 12 legitimate bodies: never a look-alike."""
    assert _ab(name).lookalike is False


def test_sac_alone_is_ambiguous_between_singapore_saudi_arabia_and_a_lookalike() -> None:
    """ "SAC" is Singapore's council, Saudi Arabia's center and the "Sweden Accreditation
    Cooperation" of a look-alike: cannot tell, the three named."""
    finding = _ab("SAC")
    assert (finding.recognised, finding.lookalike) == (None, False)
    assert finding.message == (
        '"SAC" is an acronym of several bodies: Singapore Accreditation Council (SG), an '
        "accreditation body of this service's reference data; European Union Accreditation "
        "Agency (BE, SE), a known look-alike; Saudi Accreditation Center (SA), a legitimate "
        "body. An acronym alone does not identify an accreditation body: give the full name "
        "printed on the certificate"
    )
    sweden = _ab("Sweden Accreditation Cooperation")
    assert (sweden.recognised, sweden.lookalike) == (False, True)
    assert sweden.message.startswith(
        '"Sweden Accreditation Cooperation" is Sweden Accreditation Cooperation, a known '
        "look-alike accreditation body"
    )


# --- unresolved entries ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        name
        for entry in _by_classification("unresolved")
        for name in (*entry.names, *entry.acronyms)
    ],
)
def test_unresolved_entries_are_never_flagged(name: str) -> None:
    """The 15 unresolved entries (UAF, GAC, Global ACI, IAF, GAS, ...): never a look-alike, and
    never recognised from the list alone."""
    finding = _ab(name)
    assert finding.lookalike is False
    assert finding.recognised is None


def test_an_unresolved_body_says_so_and_is_not_flagged() -> None:
    """UAF: in the reference data without confirmed scopes, and unresolved in the list."""
    finding = _ab("United Accreditation Foundation", "ISO 9001")
    assert (finding.recognised, finding.lookalike) == (None, False)
    assert finding.message == (
        '"United Accreditation Foundation" is UAF (United Accreditation Foundation Inc., US), '
        "an accreditation body of this service's reference data: MLA recognition of UAF for "
        "ISO 9001 could not be confirmed" + NOT_CONFIRMED + ". The sourced list of look-alikes "
        "leaves its recognition unresolved, so it is not flagged on its name (source: "
        "https://www.oxebridge.com/emma/unmasking-the-united-accreditation-forum/)"
    )


# --- cannot tell ----------------------------------------------------------------------------------


def test_an_unknown_body_is_cannot_tell_never_fake() -> None:
    """Neither in the reference data nor listed: null, with where to check."""
    finding = _ab("Northern Accreditation Trust")
    assert (finding.named, finding.recognised, finding.lookalike) == (
        "Northern Accreditation Trust",
        None,
        False,
    )
    assert finding.message == (
        '"Northern Accreditation Trust" is neither an accreditation body of this service\'s '
        "reference data nor on its sourced list of look-alikes, so whether it is recognised "
        f"cannot be told here: {GLOBAL_ACI}"
    )


def test_a_real_acronym_beside_an_unknown_name_is_not_that_body() -> None:
    """Look-alikes borrow real acronyms: "Foo Accreditation Board (UKAS)" is not UKAS."""
    finding = _ab("Foo Accreditation Board (UKAS)")
    assert (finding.recognised, finding.lookalike) == (None, False)
    assert finding.message.endswith(
        ". The acronym beside it is that of UKAS (United Kingdom Accreditation Service, GB), "
        "whose name differs: look-alikes borrow real acronyms"
    )


def test_a_real_name_with_another_country_is_not_that_body() -> None:
    assert _ab("United Kingdom Accreditation Service (France)").recognised is None


def test_no_standard_named_cannot_tell_recognition() -> None:
    finding = _ab("UKAS", None)
    assert (finding.recognised, finding.lookalike) == (None, False)
    assert finding.message == (
        '"UKAS" is UKAS (United Kingdom Accreditation Service, GB), an accreditation body of '
        "this service's reference data: no standard was named; name the standard printed on "
        "the certificate to check it"
    )


def test_nothing_named_says_so() -> None:
    chain = check_chain(ChainQuestion(as_of=AS_OF), SHIPPED)
    assert chain.as_dict() == {
        "accreditation_body": {
            "named": None,
            "recognised": None,
            "lookalike": False,
            "message": "No accreditation body was named: an accredited certificate names its "
            "accreditation body beside its mark; name it to check it",
        },
        "certification_body": {
            "named": None,
            "known": False,
            "accredited_for_standard": None,
            "message": "No certification body was named; name the issuer printed on the "
            "certificate",
        },
    }


# --- the engine's recognition rule, reused ------------------------------------------------------

COMPLETE = AccreditationBodyFact(
    id="ab-1",
    acronym="TAB",
    name="Test Accreditation Board",
    economy="GB",
    mla_scopes=(MlaScopeFact("ISO 9001", date(2010, 1, 1), date(2026, 6, 30)),),
    mla_scopes_complete=True,
)
OTHER = AccreditationBodyFact(
    id="ab-2",
    acronym="OAB",
    name="Other Accreditation Board",
    economy="DE",
    mla_scopes=(MlaScopeFact("ISO 9001"),),
    mla_scopes_complete=True,
)
ARRANGEMENTS = (
    RecognitionArrangement(
        "IAF Multilateral Recognition Arrangement", "IAF MLA", None, date(2025, 12, 31)
    ),
    RecognitionArrangement("Global ACI MRA", "Global ACI MRA", date(2026, 1, 1), None),
)
TEST_REFERENCE = ChainReference(
    accreditation_bodies=(COMPLETE, OTHER),
    listed=listed_bodies(),
    outside_mla_scope=frozenset({"ISO22301"}),
    arrangements=ARRANGEMENTS,
)


@pytest.mark.parametrize(
    ("as_of", "standard", "recognised", "said"),
    [
        (
            date(2025, 6, 30),
            "ISO 9001",
            True,
            "on 2025-06-30, TAB is recognised under the IAF MLA for ISO 9001 since 2010-01-01",
        ),
        (
            date(2026, 6, 30),
            "ISO 9001",
            True,
            "on 2026-06-30, TAB is recognised under the Global ACI MRA for ISO 9001 since "
            "2010-01-01",
        ),
        (
            date(2026, 7, 1),
            "ISO 9001",
            False,
            "TAB is not recognised under the Global ACI MRA for ISO 9001 on 2026-07-01",
        ),
        (
            date(2026, 7, 1),
            "ISO 14001",
            False,
            "TAB is not recognised under the Global ACI MRA for ISO 14001 on 2026-07-01",
        ),
        (
            date(2026, 7, 1),
            "ISO 22301:2019",
            None,
            "ISO 22301 is outside the MLA's scope; accredited nationally by TAB (recognition "
            "under the Global ACI MRA is not expected)",
        ),
    ],
)
def test_recognition_follows_the_engine_rule_dated_and_in_scope(
    as_of: date, standard: str, recognised: bool | None, said: str
) -> None:
    """A complete list is authoritative (missing = not recognised), dated inclusively, named
    by the arrangement in force, and a standard outside the MLA's scope cannot be told."""
    question = ChainQuestion(
        as_of=as_of, accreditation_body="Test Accreditation Board", standard=standard
    )
    finding = check_chain(question, TEST_REFERENCE).accreditation_body
    assert (finding.recognised, finding.lookalike) == (recognised, False)
    assert finding.message == (
        '"Test Accreditation Board" is TAB (Test Accreditation Board, GB), an accreditation '
        f"body of this service's reference data: {said}"
    )


# --- the certification body ---------------------------------------------------------------------

CB = CertificationBodyFact(id="cb-1", name="Northbridge Certification Ltd", acronym="NBC")


def _accreditation(
    body: AccreditationBodyFact, standard: str = "ISO 9001", **overrides: Any
) -> AccreditationFact:
    values: dict[str, Any] = {
        "id": f"acc-{body.id}-{standard}",
        "certification_body_id": CB.id,
        "accreditation_body": body,
        "accreditation_number": f"{body.acronym} 4127",
        "standard_code": standard,
        "sectors": (),
        "valid_from": date(2015, 1, 1),
        "valid_until": None,
    }
    values.update(overrides)
    return AccreditationFact(**values)


def _cb(
    named_ab: str | None,
    accreditations: tuple[AccreditationFact, ...],
    standard: str | None = "ISO 9001:2015",
    as_of: date = date(2026, 6, 1),
    issue_date: date | None = None,
) -> Any:
    question = ChainQuestion(
        as_of=as_of,
        accreditation_body=named_ab,
        certification_body="NBC",
        certification_body_fact=CB,
        accreditations=accreditations,
        standard=standard,
        issue_date=issue_date,
    )
    return check_chain(question, TEST_REFERENCE).certification_body


WHO = '"NBC" is Northbridge Certification Ltd, known here'


@pytest.mark.parametrize(
    ("named_ab", "accreditations", "accredited", "message"),
    [
        (
            "Test Accreditation Board",
            (_accreditation(COMPLETE),),
            True,
            f"{WHO}: it is accredited for ISO 9001 by TAB (accreditation TAB 4127) on 2026-06-01",
        ),
        (
            "TAB",
            (_accreditation(OTHER),),
            False,
            f"{WHO}, but it holds no accreditation for ISO 9001 from TAB on 2026-06-01; here it "
            "is accredited for ISO 9001 by OAB (accreditation OAB 4127)",
        ),
        (
            "International Accreditation Council",
            (_accreditation(OTHER),),
            False,
            f'{WHO}, and it holds no accreditation from "International Accreditation Council": '
            "a look-alike accredits nothing recorded here. It is accredited for ISO 9001 by OAB "
            "(accreditation OAB 4127), so a certificate naming a look-alike was not issued under "
            "that accreditation",
        ),
        (
            "Northern Accreditation Trust",
            (_accreditation(OTHER),),
            None,
            f"{WHO}: it is accredited for ISO 9001 by OAB (accreditation OAB 4127) on "
            '2026-06-01; "Northern Accreditation Trust" could not be identified as that body',
        ),
        (
            "Northern Accreditation Trust",
            (),
            False,
            f"{WHO}, but it holds no accreditation for ISO 9001 here on 2026-06-01",
        ),
        (
            None,
            (_accreditation(OTHER), _accreditation(COMPLETE)),
            True,
            f"{WHO}: it is accredited for ISO 9001 by OAB (accreditation OAB 4127), TAB "
            "(accreditation TAB 4127) on 2026-06-01",
        ),
        (
            None,
            (_accreditation(COMPLETE, "ISO 14001"),),
            False,
            f"{WHO}, but it holds no accreditation for ISO 9001 here on 2026-06-01",
        ),
        (
            None,
            (
                _accreditation(
                    COMPLETE, status_events=(StatusEvent(Status.SUSPENDED, date(2026, 5, 1)),)
                ),
            ),
            False,
            f"{WHO}, but it holds no accreditation for ISO 9001 here on 2026-06-01",
        ),
    ],
)
def test_the_named_cb_is_accredited_for_the_standard_by_the_named_ab(
    named_ab: str | None,
    accreditations: tuple[AccreditationFact, ...],
    accredited: bool | None,
    message: str,
) -> None:
    """By the named AB; by a recognised AB when none is named; a look-alike accredits nothing
    recorded here; an AB that cannot be identified, beside another AB's accreditation: null."""
    finding = _cb(named_ab, accreditations)
    assert (finding.known, finding.accredited_for_standard, finding.message) == (
        True,
        accredited,
        message,
    )


def test_an_accreditation_by_an_ab_not_recognised_does_not_count_when_none_is_named() -> None:
    """On 2026-07-01 TAB's recognition for ISO 9001 has ended (complete list)."""
    finding = _cb(None, (_accreditation(COMPLETE),), as_of=date(2026, 7, 1))
    assert (finding.accredited_for_standard, finding.message) == (
        False,
        f"{WHO}, but on 2026-07-01 it is accredited for ISO 9001 only by TAB (accreditation "
        "TAB 4127), not recognised for it",
    )


def test_not_accredited_on_the_issue_date_is_false() -> None:
    """DESIGN.md: accredited at the issue date (any record) and at the date asked about."""
    accreditation = _accreditation(COMPLETE, valid_from=date(2024, 1, 1))
    finding = _cb("TAB", (accreditation,), issue_date=date(2023, 6, 1))
    assert (finding.accredited_for_standard, finding.message) == (
        False,
        f"{WHO}, but it was not accredited for ISO 9001 on the issue date 2023-06-01",
    )
    assert _cb("TAB", (accreditation,), issue_date=date(2024, 6, 1)).accredited_for_standard


def test_an_unknown_cb_or_no_standard_cannot_tell() -> None:
    question = ChainQuestion(as_of=AS_OF, certification_body="Acme Cert Bureau")
    finding = check_chain(question, TEST_REFERENCE).certification_body
    assert (finding.named, finding.known, finding.accredited_for_standard) == (
        "Acme Cert Bureau",
        False,
        None,
    )
    assert finding.message == (
        '"Acme Cert Bureau" is not a certification body this registry knows, so its '
        "accreditation cannot be checked here: ask the accreditation body named on the "
        "certificate whether it accredits this certification body for the standard"
    )
    none = _cb(
        "TAB", (_accreditation(COMPLETE), _accreditation(COMPLETE, "ISO 14001")), standard=None
    )
    assert (none.accredited_for_standard, none.message) == (
        None,
        f"{WHO}; no standard was named, so name the standard printed on the certificate to "
        "check it; on 2026-06-01 it is accredited here for ISO 14001, ISO 9001",
    )


def test_identification_pairs_a_registry_ab_with_its_list_entry() -> None:
    """NACI named by the registry's spelling is the list's "Centre" entry (same acronym and
    country), so named in full it is flagged; by its acronym alone it is not."""
    full = identify_accreditation_body("National Accreditation Center of Iran", SHIPPED)
    assert full.body is not None
    assert full.body.acronym == "NACI"
    assert full.listed is not None
    assert full.listed.name == "National Accreditation Centre of Iran"
    assert full.lookalike is True
    alone = identify_accreditation_body("NACI", SHIPPED)
    assert (alone.by, alone.lookalike) == ("acronym", False)


# --- through the API ------------------------------------------------------------------------------


@pytest.fixture
def cb_accredited_by_ukas(session: Session) -> uuid.UUID:
    """A CB accredited by the shipped UKAS for ISO 14001, with one certificate."""
    cb = make_cb(session, "Chain Test Certification Ltd", "CTC")
    accredit(
        session, cb, reference_ab(session, "UKAS").id, "ISO 14001", valid_from=date(2015, 1, 1)
    )
    make_certificate(session, cb, "CTC-1", standard="ISO 14001:2015")
    session.commit()
    return cb


def test_a_typed_number_not_found_with_the_ab_named_carries_the_chain(
    client: TestClient, cb_accredited_by_ukas: uuid.UUID
) -> None:
    """GET /v1/verify: not_found stays the verdict; `chain` says UKAS is recognised for ISO
    14001 and the CB is accredited by it."""
    response = client.get(
        "/v1/verify",
        params={
            "certificate_number": "CTC-404",
            "certification_body": "CTC",
            "accreditation_body": "United Kingdom Accreditation Service",
            "standard": "ISO 14001:2015",
            "as_of": "2026-11-26",
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["verdict"] == "not_found"
    assert body["query"]["accreditation_body"] == "United Kingdom Accreditation Service"
    assert body["chain"] == {
        "accreditation_body": {
            "named": "United Kingdom Accreditation Service",
            "recognised": True,
            "lookalike": False,
            "message": '"United Kingdom Accreditation Service" is UKAS (United Kingdom '
            "Accreditation Service, GB), an accreditation body of this service's reference "
            "data: on 2026-11-26, UKAS is recognised under the Global ACI MRA for ISO 14001",
        },
        "certification_body": {
            "named": "CTC",
            "known": True,
            "accredited_for_standard": True,
            "message": '"CTC" is Chain Test Certification Ltd, known here: it is accredited '
            f"for ISO 14001 by UKAS (accreditation {_number(client, cb_accredited_by_ukas)}) "
            "on 2026-11-26",
        },
    }


def _number(client: TestClient, cb: uuid.UUID) -> str:
    items = client.get(f"/v1/certification-bodies/{cb}/accreditations").json()["items"]
    return str(items[0]["accreditation_number"])


def test_a_lookalike_printed_beside_an_unknown_cb(client: TestClient) -> None:
    """POST /v1/verifications: a look-alike AB and a CB this registry does not know."""
    response = client.post(
        "/v1/verifications",
        json={
            "certificate_number": "GQ-2231",
            "certification_body": "Global Quality Registrars",
            "accreditation_body": "International Accreditation Bureau",
            "standard": "ISO 9001",
        },
    )
    body = response.json()
    assert body["verdict"] == "not_found"
    assert body["chain"]["accreditation_body"]["recognised"] is False
    assert body["chain"]["accreditation_body"]["lookalike"] is True
    assert body["chain"]["certification_body"] == {
        "named": "Global Quality Registrars",
        "known": False,
        "accredited_for_standard": None,
        "message": '"Global Quality Registrars" is not a certification body this registry '
        "knows, so its accreditation cannot be checked here: ask the accreditation body named "
        "on the certificate whether it accredits this certification body for the standard",
    }


@pytest.mark.usefixtures("cb_accredited_by_ukas")
def test_chain_is_null_when_found_or_when_nothing_is_named(client: TestClient) -> None:
    """A found certificate's chain is judged by its own checks; a bare number names nothing."""
    found = client.get(
        "/v1/verify", params={"certificate_number": "CTC-1", "accreditation_body": "UKAS"}
    ).json()
    assert (found["verdict"], found["chain"]) == ("valid", None)
    bare = client.get("/v1/verify", params={"certificate_number": "CTC-404"}).json()
    assert (bare["verdict"], bare["chain"]) == ("not_found", None)
    ab_only = client.get(
        "/v1/verify", params={"certificate_number": "CTC-404", "accreditation_body": "SAC"}
    ).json()
    assert ab_only["chain"]["accreditation_body"]["recognised"] is None
    assert ab_only["chain"]["certification_body"]["named"] is None


def test_the_accreditation_body_is_bounded_like_the_other_fields(client: TestClient) -> None:
    response = client.get(
        "/v1/verify", params={"certificate_number": "X-1", "accreditation_body": "A" * 301}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/accreditation_body"


def test_batch_items_and_csv_carry_the_accreditation_body(
    session: Session, client: TestClient
) -> None:
    from app.services.auth import Role
    from tests.factories import auth, make_key

    key = make_key(session, Role.CLIENT)
    item = {
        "certificate_number": "NOPE-7",
        "accreditation_body": "Association of British Certification Bodies",
    }
    results = client.post(
        "/v1/verifications/batch", json={"items": [item]}, headers=auth(key)
    ).json()["results"]
    assert results[0]["chain"]["accreditation_body"]["lookalike"] is True
    csv_body = (
        "certificate_number,accreditation_body\n"
        "NOPE-7,Association of British Certification Bodies\n"
    )
    answer = client.post(
        "/v1/verifications/batch",
        content=csv_body,
        headers={**auth(key), "Content-Type": "text/csv"},
    )
    assert answer.status_code == 200
    assert answer.json()["results"][0]["chain"]["accreditation_body"]["lookalike"] is True


# --- the fact cache answers the same ------------------------------------------------------------


@pytest.fixture(scope="module")
def committed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from seeded_database(tmp_path_factory.mktemp("chain"), "chain")


def test_cached_and_database_answers_carry_the_same_chain(committed: str) -> None:
    """The chain's reference data comes through the FactReader: the event-loop answer from the
    fact cache equals the database answer, chain included."""
    cached, uncached = make_engine(committed), make_engine(committed)
    reset_key_cache()
    fact_cache.reset_caches()

    class Clock:
        now = 1000.0

        def __call__(self) -> float:
            return self.now

    configure_cache(cached, refresh_seconds=3600, max_entries=1000, clock=Clock())
    configure_cache(uncached, refresh_seconds=3600, max_entries=0, clock=Clock())
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    try:
        with Session(cached) as session:
            cb = make_cb(session, "Cache Chain Certification Ltd", "CCC")
            accredit(session, cb, reference_ab(session, "UKAS").id, "ISO 14001")
            make_certificate(session, cb, "CCC-1", standard="ISO 14001:2015")
            session.commit()
        request = VerificationRequestIn(
            certificate_number="CCC-404",
            certification_body="CCC",
            accreditation_body="UKAS",
            standard="ISO 14001",
        )
        answers = []
        for engine in (cached, uncached):
            with Session(engine) as session:
                answers.append(verify_certificate(session, request=request, now=now))
                session.commit()
        fast = verify_from_cache(cached, request=request, now=now)
        assert fast is not None, "every fact, the chain's reference data included, is cached"
        answers.append(fast)
        assert verify_from_cache(uncached, request=request, now=now) is None
        for answer in answers:
            del answer["verification_id"], answer["receipt"]
        assert answers[0] == answers[1] == answers[2]
        assert answers[0]["chain"]["accreditation_body"]["recognised"] is True
        assert answers[0]["chain"]["certification_body"]["accredited_for_standard"] is True
    finally:
        cached.dispose()
        uncached.dispose()
        fact_cache.reset_caches()
        reset_key_cache()


def test_the_cli_prints_the_chain(committed: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """`certverify verify NUMBER --cb ... --ab ...` on a number not found."""
    from typer.testing import CliRunner

    from app.cli import cli
    from app.config import get_settings
    from app.db import get_engine, get_session_factory

    monkeypatch.setenv("CERTVERIFY_DATABASE_URL", committed)
    for cached in (get_settings, get_engine, get_session_factory):
        cached.cache_clear()
    reset_key_cache()
    try:
        result = CliRunner().invoke(
            cli,
            ["verify", "ZZ-404", "--ab", "International Accreditation Council", "--json"],
        )
        printed = CliRunner().invoke(
            cli, ["verify", "ZZ-404", "--ab", "International Accreditation Council"]
        )
    finally:
        get_engine().dispose()
        for cached in (get_settings, get_engine, get_session_factory):
            cached.cache_clear()
        reset_key_cache()
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["chain"]["accreditation_body"]["lookalike"] is True
    assert printed.exit_code == 3
    lines = printed.stdout.splitlines()
    chain_at = lines.index("Chain (from reference data; the registry has no record)")
    assert lines[chain_at + 1].startswith(
        '  AB       "International Accreditation Council" is International Accreditation '
        "Council, a known look-alike"
    )


def test_the_page_asks_for_the_ab_and_shows_the_chain(client: TestClient) -> None:
    """The verification form has an accreditation body field; a not_found that names a
    look-alike shows the chain panel in words."""
    from tests.web.html import parse

    home = parse(client.get("/").text)
    field = home.one("input", id="v-accreditation_body")
    assert (field.attrs["name"], field.attrs["maxlength"]) == ("accreditation_body", "300")
    response = client.get(
        "/verify",
        params={
            "certificate_number": "GQ-2231",
            "certification_body": "Global Quality Registrars",
            "accreditation_body": "UK Akkreditation and Certification Board Limited",
        },
    )
    doc = parse(response.text)
    ab = doc.one("dd", data_chain="accreditation_body")
    assert ab.attrs["data-state"] == "lookalike"
    assert ab.text.startswith(
        'Known look-alike. "UK Akkreditation and Certification Board Limited" is UK '
        "Akkreditation and Certification Board Limited, a known look-alike accreditation body"
    )
    cb = doc.one("dd", data_chain="certification_body")
    assert (cb.attrs["data-state"], cb.text.split(".")[0]) == ("unknown", "Not known here")
    assert doc.one("input", id="v-accreditation_body").attrs["value"] == (
        "UK Akkreditation and Certification Board Limited"
    )
