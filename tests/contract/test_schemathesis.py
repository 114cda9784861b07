"""Contract tests: Schemathesis drives every operation of the live OpenAPI document."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi import checks as openapi_checks
from sqlalchemy.orm import Session

from app import clock
from app.config import Settings
from app.db import get_session, make_engine
from app.demo.builder import build_demo_registry
from app.main import create_app
from app.services.auth import Role, create_api_key
from app.services.verification.receipts import active_signing_key, reset_key_cache
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

app = create_app(Settings(rate_limit_enabled=False))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)
# Unknown query parameters are ignored, as HTTP APIs usually do; OpenAPI cannot forbid them.
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], allow_extra_parameters=False
)
# A batch answers an invalid *item* with a problem in its place (API.md), not with a 4xx.
PER_ITEM_VALIDATION = {"POST /v1/verifications/batch"}


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
    yield key
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
