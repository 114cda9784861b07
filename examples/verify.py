"""Verify a certificate with certverify, then check the signed receipt offline against the JWKS.

Usage: python examples/verify.py "Q 700001" --cb NBC [--base http://127.0.0.1:8000]
       python examples/verify.py --stored answer.json --jwks jwks.json   (offline, no network)
Needs: pip install httpx joserfc rfc8785
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import warnings

import httpx
import rfc8785
from joserfc import jws
from joserfc.errors import SecurityWarning
from joserfc.jwk import OKPKey

# joserfc warns that RFC 9864 deprecates "EdDSA"; receipts use it because every library knows it.
warnings.filterwarnings("ignore", "EdDSA is deprecated", SecurityWarning)


def check_receipt(answer: dict, jwks: dict) -> dict:
    """Verify the receipt's Ed25519 signature and that it covers exactly this answer."""
    receipt = answer["receipt"]
    header = json.loads(base64.urlsafe_b64decode(receipt.split(".")[0] + "=="))
    key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    public = OKPKey.import_key({"kty": key["kty"], "crv": key["crv"], "x": key["x"]})
    # "EdDSA" since issue 15; receipts stored before say "Ed25519" (RFC 9864): the same signature.
    payload = json.loads(
        jws.deserialize_compact(receipt, public, algorithms=["EdDSA", "Ed25519"]).payload
    )
    body = {k: v for k, v in answer.items() if k != "receipt"}
    digest = hashlib.sha256(rfc8785.dumps(body)).hexdigest()
    if payload["sha256"] != digest:
        raise ValueError("the receipt does not cover this answer")
    return payload


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("number", nargs="?")
    parser.add_argument("--stored", help="a saved verification answer (JSON) to check offline")
    parser.add_argument("--jwks", help="a saved copy of /.well-known/jwks.json")
    parser.add_argument("--cb")
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    args = parser.parse_args()
    if args.stored:
        with open(args.stored, encoding="utf-8") as fh, open(args.jwks, encoding="utf-8") as kh:
            answer, jwks = json.load(fh), json.load(kh)
        payload = check_receipt(answer, jwks)
        print(
            f"receipt verified offline: {payload['verdict']} for {payload['certificate_number']} "
            f"as of {payload['as_of']}, checked at {payload['checked_at']}"
        )
        return
    with httpx.Client(base_url=args.base, timeout=10) as client:
        params = {"certificate_number": args.number}
        if args.cb:
            params["certification_body"] = args.cb
        answer = client.get("/v1/verify", params=params).raise_for_status().json()
        jwks = client.get("/.well-known/jwks.json").raise_for_status().json()
    print(f"{answer['verdict']}: {answer['summary']}")
    for check in answer["checks"]:
        print(f"  {check['outcome']:<7} {check['code']:<21} {check['message']}")
    payload = check_receipt(answer, jwks)
    print(f"receipt verified: signature ok, covers this answer (sha256 {payload['sha256'][:16]}…)")


if __name__ == "__main__":
    main()
