// Check a stored certverify answer with Node's jose (npm): the receipt's signature against the
// JWK Set, then that the receipt covers exactly this answer (SHA-256 of its RFC 8785 JSON).
//
// Usage: node examples/verify-receipt.mjs answer.json jwks.json
//        node examples/verify-receipt.mjs answer.json http://127.0.0.1:8000   (fetches the JWKS)
// Needs: Node 20+, and once: cd examples && npm ci   (jose and canonicalize, pinned)
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

import canonicalize from "canonicalize";
import { compactVerify, createLocalJWKSet } from "jose";

// Receipts are signed with alg "EdDSA"; receipts stored before issue 15 say "Ed25519" (RFC 9864),
// the same Ed25519 signature under its newer name. The JWK Set gives each key `alg: "EdDSA"`, and
// jose only picks a key whose alg equals the receipt's, so keys are matched by kid alone here.
const ALGORITHMS = ["EdDSA", "Ed25519"];

async function checkReceipt(answer, jwks) {
  const keys = createLocalJWKSet({ keys: jwks.keys.map(({ alg, ...key }) => key) });
  const { payload, protectedHeader } = await compactVerify(answer.receipt, keys, {
    algorithms: ALGORITHMS,
  });
  const claims = JSON.parse(new TextDecoder().decode(payload));
  const { receipt, ...rest } = answer;
  const digest = createHash("sha256").update(canonicalize(rest), "utf8").digest("hex");
  if (claims.sha256 !== digest) {
    throw new Error("the signature is valid, but the receipt does not cover this answer");
  }
  return { claims, protectedHeader };
}

async function loadJwks(source) {
  if (/^https?:\/\//.test(source)) {
    const response = await fetch(new URL("/.well-known/jwks.json", source));
    if (!response.ok) throw new Error(`GET /.well-known/jwks.json answered ${response.status}`);
    return response.json();
  }
  return JSON.parse(readFileSync(source, "utf8"));
}

async function main() {
  const [answerFile, jwksSource] = process.argv.slice(2);
  if (!answerFile || !jwksSource) {
    console.error("usage: node examples/verify-receipt.mjs answer.json (jwks.json | BASE_URL)");
    process.exit(2);
  }
  const answer = JSON.parse(readFileSync(answerFile, "utf8"));
  try {
    const { claims, protectedHeader } = await checkReceipt(answer, await loadJwks(jwksSource));
    console.log(
      `receipt verified with jose (alg ${protectedHeader.alg}): ${claims.verdict} for ` +
        `${claims.certificate_number} as of ${claims.as_of}, checked at ${claims.checked_at}`,
    );
  } catch (error) {
    console.error(`receipt NOT verified: ${error.message}`);
    process.exit(1);
  }
}

await main();
