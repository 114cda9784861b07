"""Check a stored certverify answer with PyJWT: the receipt's signature against the JWK Set,
then that the receipt covers exactly this answer (SHA-256 of its RFC 8785 canonical JSON).

Usage: python examples/verify_receipt_pyjwt.py answer.json --jwks jwks.json
       python examples/verify_receipt_pyjwt.py answer.json --base http://127.0.0.1:8000
Needs: pip install "pyjwt[crypto]" rfc8785
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys

import jwt
import rfc8785
from jwt.algorithms import OKPAlgorithm


def check_receipt(answer: dict, jwks: dict) -> dict:
    """The receipt's payload once its signature and its digest of `answer` are checked."""
    receipt = answer["receipt"]
    key = jwt.PyJWKSet.from_dict(jwks)[jwt.get_unverified_header(receipt)["kid"]]
    # Receipts are signed with alg "EdDSA". Receipts stored before issue 15 say "Ed25519"
    # (RFC 9864), the same Ed25519 signature under a name PyJWT does not know: register it.
    verifier = jwt.PyJWS()
    verifier.register_algorithm("Ed25519", OKPAlgorithm())
    payload = json.loads(verifier.decode(receipt, key.key, algorithms=["EdDSA", "Ed25519"]))
    body = {k: v for k, v in answer.items() if k != "receipt"}
    if payload["sha256"] != hashlib.sha256(rfc8785.dumps(body)).hexdigest():
        raise ValueError("the signature is valid, but the receipt does not cover this answer")
    return payload


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("answer", help="a saved verification answer (JSON)")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--jwks", help="a saved copy of /.well-known/jwks.json")
    source.add_argument("--base", help="the service, e.g. http://127.0.0.1:8000")
    args = parser.parse_args()
    with open(args.answer, encoding="utf-8") as fh:
        answer = json.load(fh)
    if args.jwks:
        with open(args.jwks, encoding="utf-8") as fh:
            jwks = json.load(fh)
    else:
        jwks = jwt.PyJWKClient(args.base.rstrip("/") + "/.well-known/jwks.json").fetch_data()
    try:
        payload = check_receipt(answer, jwks)
    except (jwt.PyJWTError, ValueError) as exc:
        print(f"receipt NOT verified: {exc}", file=sys.stderr)
        sys.exit(1)
    alg = jwt.get_unverified_header(answer["receipt"])["alg"]
    print(
        f"receipt verified with PyJWT (alg {alg}): {payload['verdict']} for "
        f"{payload['certificate_number']} as of {payload['as_of']}, "
        f"checked at {payload['checked_at']}"
    )


if __name__ == "__main__":
    main()
