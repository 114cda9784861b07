"""Contract tests: Schemathesis drives every operation of the live OpenAPI document, one at a
time (`test_api_contract`) and chained along its links (`test_api_stateful`: a create's id is
the next operation's path parameter, app/http/openapi_links.py), so reads, changes and deletes
of real resources are exercised, not only 404s."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis import GenerationMode, Response
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi import checks as openapi_checks
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app import clock
from app.config import Settings
from app.db import get_session, make_engine
from app.demo.builder import build_demo_registry
from app.main import create_app
from app.models import AccreditationBody, Certificate
from app.services.auth import Role, create_api_key
from app.services.verification.receipts import active_signing_key, reset_key_cache
from tests.conftest import session_override
from tests.factories import certificate_body
from tests.ops.servers import seeded_database

if TYPE_CHECKING:  # an alias schemathesis defines for type checkers only
    from schemathesis.specs.openapi.schemas import OpenApiCase

# Schema-valid input may still be refused for reasons a schema cannot express (an unknown
# standard edition, an expiry before the issue date): positive_data_acceptance is not run.
# Keys are checked by the service after the request is validated, so a request without a key
# and with an invalid body is a 422, not the 401 missing_required_header expects.
CHECKS = [
    not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.negative_data_rejection,
    openapi_checks.ignored_auth,
]

# Import bodies in JSON Lines are text as far as generated cases go.
schemathesis.serializer.alias("application/x-ndjson", "text/plain")
# Workbooks are bytes: generated cases send arbitrary bytes as XLSX, which must be refused
# cleanly (a 4xx problem), never a 500.
schemathesis.serializer.alias(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/octet-stream"
)

app = create_app(Settings(rate_limit_enabled=False))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)
# Unknown query parameters are ignored, as HTTP APIs usually do; OpenAPI cannot forbid them.
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], allow_extra_parameters=False
)
# A batch answers an invalid *item* with a problem in its place (API.md), not with a 4xx.
PER_ITEM_VALIDATION = {"POST /v1/verifications/batch"}
# Chained along links: no server error, answers as documented, and a deleted resource is gone
# (use_after_free) while a created one can be read (ensure_resource_availability).
STATEFUL_CHECKS = [
    not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.use_after_free,
    openapi_checks.ensure_resource_availability,
]
CONTRACT: dict[str, str] = {}
"""For the state machine (set by `admin_key`): the admin key, ids of a CB, a certificate of
it and an AB."""
ENGINE: list[Engine] = []
"""The contract registry's engine (set by `admin_key`)."""
WEBHOOK_URL = "https://1.1.1.1/certverify-contract"
"""A public address the SSRF guard accepts without DNS; nothing is ever delivered (no worker)."""
REALISTIC = frozenset(
    {
        "POST /v1/certificates",
        "POST /v1/certification-bodies/{cb_id}/accreditations",
        "POST /v1/watches",
        "POST /v1/webhooks",
    }
)
"""Creates whose generated bodies are almost never valid (a CB that exists, a standard with its
edition, dates in order, a URL that is public): in the stateful phase they send a valid body
(test_api_contract sends generated ones), so the resource exists and the linked operations
act on it."""


@pytest.fixture(scope="session")
def admin_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A prepared SQLite registry (reference + demo data) behind the app, and an admin key."""
    url = f"sqlite:///{tmp_path_factory.mktemp('contract') / 'contract.db'}"
    seeded_database(url)
    engine = make_engine(url)
    with Session(engine) as session:
        build_demo_registry(session, certificates=50, today=clock.today())
        _, key = create_api_key(session, role=Role.ADMIN, body_id=None, name="contract")
        session.commit()
        certificate = session.scalars(
            select(Certificate).where(Certificate.confidential.is_(False)).limit(1)
        ).one()
        ab = session.scalars(select(AccreditationBody).limit(1)).one()
        CONTRACT.update(
            key=key,
            cb=str(certificate.certification_body_id),
            certificate=str(certificate.id),
            ab=str(ab.id),
        )
    reset_key_cache()
    with Session(engine) as session:
        # Create the receipt key up front: on SQLite, a first keyed verification that creates it
        # beside its own open transaction cannot then store the verification (database locked).
        active_signing_key(session)

    def _session() -> Iterator[Session]:
        with Session(engine, expire_on_commit=False, autoflush=False) as s:
            try:
                yield s
                s.commit()
            except BaseException:
                s.rollback()
                raise

    app.dependency_overrides[get_session] = _session
    ENGINE.append(engine)
    yield key
    ENGINE.clear()
    CONTRACT.clear()
    app.dependency_overrides.clear()
    engine.dispose()


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_contract(case: OpenApiCase, admin_key: str) -> None:
    """No 5xx, responses match the schema and declared statuses, invalid input is rejected."""
    checks = CHECKS
    if case.operation.label in PER_ITEM_VALIDATION:
        checks = [c for c in CHECKS if c is not openapi_checks.negative_data_rejection]
    case.call_and_validate(headers={"Authorization": f"Bearer {admin_key}"}, checks=checks)


def realistic_body(label: str, given: Any, known: set[str]) -> dict[str, Any]:
    """A valid body for one of the REALISTIC creates (a new certificate number each time); an
    id a link put in the body (one an earlier answer of the scenario gave) is kept."""
    body = given if isinstance(given, dict) else {}

    def linked(field: str, default: str) -> str:
        value = body.get(field)
        return value if isinstance(value, str) and value in known else default

    if label == "POST /v1/certificates":
        number = f"CONTRACT-{uuid.uuid4().hex[:10].upper()}"
        cb = linked("certification_body_id", CONTRACT["cb"])
        return {**certificate_body(number), "certification_body_id": cb}
    if label == "POST /v1/watches":
        return {"certificate_id": linked("certificate_id", CONTRACT["certificate"])}
    if label == "POST /v1/certification-bodies/{cb_id}/accreditations":
        return {
            "accreditation_body_id": CONTRACT["ab"],
            "accreditation_number": f"CONTRACT-{uuid.uuid4().hex[:8].upper()}",
            "standard": "ISO 9001",
            "sectors": [],
            "valid_from": "2020-01-01",
        }
    return {"url": WEBHOOK_URL, "events": ["certificate.verdict_changed"]}


def answered_ids(response: Response) -> set[str]:
    """The ids an answer gives: its own, and those of the items of a list."""
    try:
        body = response.json()
    except ValueError:
        return set()
    if not isinstance(body, dict):
        return set()
    items = body.get("items")
    listed = items if isinstance(items, list) else []
    found = [body.get("id"), *(i.get("id") for i in listed if isinstance(i, dict))]
    return {i for i in found if isinstance(i, str)}


# The stateful phase follows the document's own links (app/http/openapi_links.py): the links
# Schemathesis infers by name also tie unrelated resources (accreditation bodies to
# accreditations), and would only send ids that do not exist.
schema.config.phases.stateful.inference.algorithms = []


class APIWorkflow(schema.as_state_machine()):  # type: ignore[misc]
    """Sequences of calls along the document's links, all with the admin key."""

    def setup(self) -> None:
        """Each scenario starts from the same registry: it runs in a transaction of its own,
        rolled back at its end (answers then depend on the scenario alone, as Hypothesis needs
        to generate consistently)."""
        self.known: set[str] = set()
        self.connection = ENGINE[0].connect()
        self.transaction = self.connection.begin()
        self.sessions = app.dependency_overrides[get_session]
        app.dependency_overrides[get_session] = session_override(self.connection)

    def teardown(self) -> None:
        """Forget what the scenario wrote."""
        app.dependency_overrides[get_session] = self.sessions
        self.transaction.rollback()
        self.connection.close()

    def before_call(self, case: OpenApiCase) -> None:
        """Every call carries the admin key; a REALISTIC create sends a valid body."""
        case.headers["Authorization"] = f"Bearer {CONTRACT['key']}"
        if case.operation.label in REALISTIC:
            case.body = realistic_body(case.operation.label, case.body, self.known)
            # A generated key reused with this new body would be a (documented) 409.
            case.headers.pop("Idempotency-Key", None)

    def after_call(self, response: Response, case: OpenApiCase) -> None:
        """Note the ids the answer gives (a link may pass them on)."""
        super().after_call(response, case)
        self.known |= answered_ids(response)

    def validate_response(
        self,
        response: Response,
        case: OpenApiCase,
        additional_checks: Any = None,  # noqa: ARG002 - STATEFUL_CHECKS say it all
        **kwargs: Any,
    ) -> None:
        """The stateful checks, and what every single call must satisfy."""
        case.validate_response(
            response,
            checks=STATEFUL_CHECKS,
            transport_kwargs=kwargs or None,
            recorder=self.recorder,
        )


@pytest.mark.usefixtures("admin_key")
def test_api_stateful() -> None:
    """Created resources are read, changed and deleted through the linked operations: no 5xx,
    every answer as documented, a deleted resource gone (a CI-sized run, about 20 s: 60
    scenarios of up to 8 calls; generation only, as Schemathesis runs its stateful phase)."""
    APIWorkflow.run(
        settings=settings(
            max_examples=60,
            stateful_step_count=8,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
    )
