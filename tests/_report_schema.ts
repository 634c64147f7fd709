// Validates reports against the committed report.schema.json with ajv, for the schema's tests.
import { Ajv } from "ajv";
import { ROOT } from "./_cli.ts";

/** The committed schema, parsed. */
export const COMMITTED_SCHEMA: Record<string, unknown> = JSON.parse(
  await Deno.readTextFile(`${ROOT}report.schema.json`),
);

const validate = new Ajv({ allErrors: true, strict: false }).compile(COMMITTED_SCHEMA);

/** What is wrong with `report` by the committed schema (path and message each), or [] when valid. */
export function schemaProblems(report: unknown): string[] {
  if (validate(report)) return [];
  return (validate.errors ?? []).map((e) =>
    `${e.instancePath || "/"} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ""}`
  );
}
