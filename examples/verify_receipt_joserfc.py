"""Check a stored certverify answer with joserfc: the receipt's signature against the JWK Set,
then that the receipt covers exactly this answer (SHA-256 of its RFC 8785 canonical JSON).

Usage: python examples/verify_receipt_joserfc.py answer.json --jwks jwks.json
       python examples/verify_receipt_joserfc.py answer.json --base http://127.0.0.1:8000
Needs: pip install joserfc rfc8785 httpx
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import warnings

import httpx
import rfc8785
from joserfc import jws
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import KeySet

# joserfc warns that RFC 9864 deprecates "EdDSA"; receipts use it because every library knows it.
warnings.filterwarnings("ignore", "EdDSA is deprecated", SecurityWarning)


def check_receipt(answer: dict, jwks: dict) -> dict:
    """The receipt's payload once its signature and its digest of `answer` are checked."""
    # Receipts are signed with alg "EdDSA"; receipts stored before issue 15 say "Ed25519"
    # (RFC 9864), the same Ed25519 signature under its newer name. joserfc only uses a key for
    # the alg the JWK Set gives it ("EdDSA"), so keys are matched by kid alone here.
    keys = KeySet.import_key_set(
        {"keys": [{k: v for k, v in key.items() if k != "alg"} for key in jwks["keys"]]}
    )
    signed = jws.deserialize_compact(answer["receipt"], keys, algorithms=["EdDSA", "Ed25519"])
    payload = json.loads(signed.payload)
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
        url = args.base.rstrip("/") + "/.well-known/jwks.json"
        jwks = httpx.get(url, timeout=10).raise_for_status().json()
    try:
        payload = check_receipt(answer, jwks)
    except (JoseError, ValueError) as exc:
        print(f"receipt NOT verified: {exc}", file=sys.stderr)
        sys.exit(1)
    alg = jws.extract_compact(answer["receipt"].encode()).protected["alg"]
    print(
        f"receipt verified with joserfc (alg {alg}): {payload['verdict']} for "
        f"{payload['certificate_number']} as of {payload['as_of']}, "
        f"checked at {payload['checked_at']}"
    )


if __name__ == "__main__":
    main()
