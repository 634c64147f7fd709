/**
 * Scenario parameters: `--set key=value` parsing, coercion through the scenario's zod schema, and
 * a description of what each parameter accepts.
 *
 * @module
 */

import { z } from "zod";
import { type ScenarioIssue, UsageError } from "./errors.ts";
import { describeValue, issuesFromZod } from "./zod_issues.ts";
import { closestField } from "./unknown_fields.ts";

/**
 * Parses repeated `--set key=value` flags.
 *
 * @param flags The flag values, e.g. `["nclients=40", "nrequests=1e6"]`.
 * @returns The raw (string) values by key; a later flag wins.
 * @throws {UsageError} If a flag has no `=` or an empty key.
 *
 * @example
 * ```ts
 * import { parseSetFlags } from "./params.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseSetFlags(["nclients=40"]), { nclients: "40" });
 * ```
 */
export function parseSetFlags(flags: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const flag of flags) {
    const eq = flag.indexOf("=");
    if (eq <= 0) {
      throw new UsageError(
        `--set ${flag}: expected key=value, e.g. --set nclients=40`,
      );
    }
    out[flag.slice(0, eq).trim()] = flag.slice(eq + 1);
  }
  return out;
}

/** A parameter, described for `--list` and error messages. */
export interface ParamDescription {
  /** Parameter name. */
  name: string;
  /** What it accepts, e.g. `integer >= 1`. */
  accepts: string;
  /** Its default, if any. */
  default?: unknown;
  /** Its `.describe()` text, if any. */
  description?: string;
}

type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  default?: unknown;
  description?: string;
  anyOf?: JsonSchema[];
  format?: string;
};

function describeJsonSchema(s: JsonSchema): string {
  if (s.enum) return `one of ${s.enum.map((v) => JSON.stringify(v)).join(", ")}`;
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.anyOf) return s.anyOf.map(describeJsonSchema).join(" or ");
  const type = Array.isArray(s.type) ? s.type.join(" or ") : s.type ?? "any value";
  const bounds: string[] = [];
  const safe = (n: number | undefined) =>
    n !== undefined && Math.abs(n) < Number.MAX_SAFE_INTEGER ? n : undefined;
  if (safe(s.minimum) !== undefined) bounds.push(`>= ${s.minimum}`);
  if (safe(s.exclusiveMinimum) !== undefined) bounds.push(`> ${s.exclusiveMinimum}`);
  if (safe(s.maximum) !== undefined) bounds.push(`<= ${s.maximum}`);
  if (safe(s.exclusiveMaximum) !== undefined) bounds.push(`< ${s.exclusiveMaximum}`);
  return [type, ...bounds].join(" ");
}

/**
 * Describes each parameter of a scenario's params schema.
 *
 * @param schema The scenario's `params` object schema.
 * @returns One description per parameter, in declaration order.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { describeParams } from "./params.ts";
 * import assert from "node:assert/strict";
 *
 * const [p] = describeParams(z.object({ nclients: z.number().int().min(1).default(40) }));
 * assert.equal(p.accepts, "integer >= 1");
 * assert.equal(p.default, 40);
 * ```
 */
export function describeParams(schema: z.ZodObject): ParamDescription[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    let json: JsonSchema;
    try {
      json = z.toJSONSchema(field as z.ZodType, {
        unrepresentable: "any",
        io: "input",
      }) as JsonSchema;
    } catch {
      json = {};
    }
    const out: ParamDescription = { name, accepts: describeJsonSchema(json) };
    if (json.default !== undefined) out.default = json.default;
    const description = (field as z.ZodType).description ?? json.description;
    if (description) out.description = description;
    return out;
  });
}

/**
 * Applies overrides to a params schema: each override is validated as given and, when it is a
 * string from the command line, also as JSON (so `40`, `true` and `1e6` become numbers and booleans).
 *
 * @param schema The scenario's params schema.
 * @param overrides Values by param name (strings from `--set`, or typed values from code).
 * @returns The params, or every problem found (unknown names, values the schema rejects).
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { resolveParams } from "./params.ts";
 * import assert from "node:assert/strict";
 *
 * const schema = z.object({ nclients: z.number().int().min(1).default(40) });
 * const result = resolveParams(schema, { nclients: "10" });
 * assert.deepEqual(result, { ok: true, params: { nclients: 10 } });
 * ```
 */
export function resolveParams(
  schema: z.ZodObject,
  overrides: Record<string, unknown> = {},
): { ok: true; params: Record<string, unknown> } | { ok: false; issues: ScenarioIssue[] } {
  const shape = schema.shape as Record<string, z.ZodType>;
  const known = Object.keys(shape);
  const issues: ScenarioIssue[] = [];
  const input: Record<string, unknown> = {};
  const descriptions = new Map(describeParams(schema).map((d) => [d.name, d]));
  for (const [key, raw] of Object.entries(overrides)) {
    if (!Object.hasOwn(shape, key)) {
      const close = closestField(key, known);
      issues.push({
        path: `params.${key}`,
        message: `unknown param (set with ${describeValue(raw)})${
          close ? ` (did you mean ${JSON.stringify(close)}?)` : ""
        }; this scenario's params are: ${known.length ? known.join(", ") : "none"}`,
      });
      continue;
    }
    const field = shape[key];
    if (field.safeParse(raw).success || typeof raw !== "string") {
      input[key] = raw;
      continue;
    }
    let coerced: unknown = raw;
    try {
      coerced = JSON.parse(raw);
    } catch { /* keep the string */ }
    if (field.safeParse(coerced).success) {
      input[key] = coerced;
      continue;
    }
    const d = descriptions.get(key)!;
    issues.push({
      path: `params.${key}`,
      message: `cannot use ${describeValue(raw)}: accepts ${d.accepts}${
        d.default !== undefined ? ` (default ${JSON.stringify(d.default)})` : ""
      }`,
    });
  }
  if (issues.length) return { ok: false, issues };
  const result = schema.safeParse(input);
  if (!result.success) {
    return { ok: false, issues: issuesFromZod(result.error, input, { prefix: "params" }) };
  }
  return { ok: true, params: result.data as Record<string, unknown> };
}
