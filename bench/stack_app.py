"""The service's own stack with reference routes, to split a verification's cost (BENCHMARKS.md).

- `/bench/constant`: async, constant JSON, behind every middleware of app.main: the stack's ceiling.
- `/bench/constant-deps`: sync, with the session and principal dependencies that /v1/verify takes.
- `/bench/verify-inline`: async, runs verify_certificate in the event loop with its own session
  (no thread-pool hand-offs): a prototype of the fast path that BENCHMARKS.md proposes.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from app.db import get_session_factory
from app.deps import PrincipalDep, SessionDep
from app.main import create_app
from app.schemas.verification import VerificationRequestIn
from app.services.verification.answer import verify_certificate

app = create_app()
_CONSTANT = {"verdict": "valid", "summary": "constant answer of the bare ceiling endpoint"}


@app.get("/bench/constant")
async def constant() -> Any:
    """The constant answer through the whole middleware stack."""
    return JSONResponse(_CONSTANT)


@app.get("/bench/constant-deps")
def constant_deps(_session: SessionDep, _principal: PrincipalDep) -> Any:
    """The constant answer with /v1/verify's dependencies and thread-pool hand-offs."""
    return JSONResponse(_CONSTANT)


@app.get("/bench/verify-inline")
async def verify_inline(certificate_number: str) -> Any:
    """A real verification computed in the event loop (cache hits never wait on I/O)."""
    with get_session_factory()() as session:
        answer = verify_certificate(
            session, request=VerificationRequestIn(certificate_number=certificate_number)
        )
        session.commit()
    return JSONResponse(answer)


# The reference routes are matched first, as /v1/verify is (the first router): added last, they
# were matched only after every route of the service, which cost the constant ~20 % more CPU
# than a whole hot-set verification (bench/tail.py, cpu us/request).
_references = [r for r in app.router.routes if getattr(r, "path", "").startswith("/bench/")]
app.router.routes[:] = _references + [r for r in app.router.routes if r not in _references]
