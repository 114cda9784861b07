// Compiles only while the generated types (out/ts/certverify.ts, from openapi.json) say what a
// client needs: verdicts, outcomes and check codes as enums, batch results as a verification or
// a problem, both imports as operations taking a form upload, readable operation ids. Used with
// openapi-fetch, the typed client openapi-typescript is made for. `make clients` runs tsc on it.
import createClient from "openapi-fetch";
import type { components, operations, paths } from "./out/ts/certverify";

type Schemas = components["schemas"];

const client = createClient<paths>({ baseUrl: "http://127.0.0.1:8000" });

/** A single verification: the verdict of the answer, or the problem's detail. */
export async function verdictOf(number: string, body: string): Promise<Schemas["Verdict"] | string> {
  const { data, error } = await client.GET("/v1/verify", {
    params: { query: { certificate_number: number, certification_body: body } },
  });
  if (error !== undefined) {
    const problem: Schemas["Problem"] = error;
    return problem.errors?.[0]?.pointer ?? problem.detail;
  }
  const codes: Schemas["CheckCode"][] = data.checks.map((check) => check.code);
  const failed: Schemas["Outcome"] = "fail";
  return codes.length > 0 && data.checks.some((check) => check.outcome === failed)
    ? data.verdict
    : data.verdict;
}

// @ts-expect-error a verdict outside the enum does not compile
export const notAVerdict: Schemas["Verdict"] = "fake";
// @ts-expect-error nor a check code outside the enum
export const notACheck: Schemas["CheckCode"] = "certificate_exists";

/** A batch: each result is a verification (it has a verdict) or an item's problem. */
export async function batch(items: Schemas["VerificationRequestIn"][]): Promise<string[]> {
  const { data } = await client.POST("/v1/verifications/batch", { body: { items } });
  if (data === undefined || typeof data === "string") {
    return []; // an error, or the CSV answer (with `Accept: text/csv`)
  }
  return data.results.map((result) =>
    "verdict" in result
      ? result.verdict
      : `item problem ${result.status}: ${result.errors.map((e) => e.pointer).join(", ")}`,
  );
}

/** An import as a form upload; the report counts each outcome. */
export async function importCertificates(file: Blob): Promise<number | undefined> {
  const form = new FormData();
  form.append("file", file, "certificates.csv");
  const { data } = await client.POST("/v1/certificates/import", {
    params: { query: { mode: "partial" } },
    body: { file: "" },
    bodySerializer: () => form,
  });
  return data?.totals.created;
}

/** Operations are named, not FastAPI's `verify_get_v1_verify_get`. */
export type Named = [
  operations["verifyCertificate"],
  operations["verifyBatch"],
  operations["importCertificates"],
  operations["importAccreditations"],
  operations["listCertificates"],
];
