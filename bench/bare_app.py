"""The ceiling: a bare FastAPI app with one async endpoint returning a constant JSON object."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

app = FastAPI()
_CONSTANT = {"verdict": "valid", "summary": "constant answer of the bare ceiling endpoint"}


@app.get("/v1/verify")
async def verify() -> dict[str, Any]:
    """Return the same small JSON object on every call."""
    return _CONSTANT
