"""Answers outside /v1: the receipt keys (JWKS) and the health probes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Jwk(BaseModel):
    """One public key that verifies receipts (RFC 7517, an Ed25519 key: RFC 8037)."""

    model_config = ConfigDict(extra="allow")

    kty: Literal["OKP"]
    crv: Literal["Ed25519"]
    x: str = Field(description="The public key, base64url.")
    kid: str = Field(description="RFC 7638 thumbprint; a receipt's header names it.")
    alg: str = Field(examples=["EdDSA"])
    use: Literal["sig"]


class JwkSet(BaseModel):
    """Every receipt signing key's public half, retired ones included (RFC 7517 JWK Set)."""

    keys: list[Jwk]


class Health(BaseModel):
    """The process is up."""

    status: Literal["ok"]


class Readiness(BaseModel):
    """Whether this instance should get traffic: its database (and read replica) answer and are
    at the newest migration."""

    status: Literal["ok", "unavailable"]
    database: Literal["ok", "unreachable"]
    migration: str | None = Field(
        default=None, description="The database's migration (absent when unreachable)."
    )
    head: str | None = Field(
        default=None, description="The newest migration of this code, when the database is behind."
    )
    read_replica: Literal["ok", "unreachable"] | None = Field(
        default=None, description="Present when a read replica is configured."
    )
