/**
 * Turns zod issues into {@linkcode ScenarioIssue}s with readable paths and the value that was given.
 *
 * @module
 */

import type { z } from "zod";
import type { ScenarioIssue } from "./errors.ts";

/**
 * Formats a path the way a person writes it: `clients[0].request.path`.
 *
 * @param path Path segments from zod.
 * @param prefix A path to put in front (e.g. `params`).
 * @returns The dotted path.
 *
 * @example
 * ```ts
 * import { formatPath } from "./zod_issues.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatPath(["clients", 0, "concurrency"]), "clients[0].concurrency");
 * ```
 */
export function formatPath(path: readonly PropertyKey[], prefix = ""): string {
  let out = prefix;
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out ? `.${String(segment)}` : String(segment);
  }
  return out;
}

/**
 * Renders a value for an error message, short: `-3`, `"5x"`, `[Function]`, `nothing`.
 *
 * @param value Any value.
 * @returns A short representation.
 *
 * @example
 * ```ts
 * import { describeValue } from "./zod_issues.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(describeValue("5x"), '"5x"');
 * ```
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "function") return "a function";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || value === null) {
    return String(value);
  }
  try {
    const json = JSON.stringify(value);
    return json.length > 60 ? `${json.slice(0, 57)}...` : json;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input as Record<PropertyKey, unknown> | undefined;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = current[segment] as Record<PropertyKey, unknown> | undefined;
  }
  return current;
}

/**
 * Converts a zod error into scenario issues, each with the field path and the value given.
 *
 * @param error The zod error.
 * @param input What was validated (to show the value that was given).
 * @param options `prefix`: a path to put in front of every issue's path.
 * @returns One issue per zod issue.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { issuesFromZod } from "./zod_issues.ts";
 * import assert from "node:assert/strict";
 *
 * const input = { n: -3 };
 * const result = z.object({ n: z.number().positive({ error: "expected a positive number" }) }).safeParse(input);
 * assert.deepEqual(issuesFromZod(result.error!, input), [{ path: "n", message: "expected a positive number, got -3" }]);
 * ```
 */
export function issuesFromZod(
  error: z.ZodError,
  input: unknown,
  options: { prefix?: string } = {},
): ScenarioIssue[] {
  return error.issues.flatMap((issue) => {
    const path = formatPath(issue.path, options.prefix ?? "");
    if (issue.code === "unrecognized_keys") return unknownFieldIssues(issue, options.prefix ?? "");
    if (issue.code === "invalid_union" && (issue as { note?: string }).note) {
      return [{
        path,
        message: `${issue.message}, got ${describeValue(valueAt(input, issue.path))}`,
      }];
    }
    const value = valueAt(input, issue.path);
    const given = describeValue(value);
    const primitive = value === null || (typeof value !== "object" && typeof value !== "function");
    const message = issue.message.startsWith("Invalid input")
      ? `invalid value, got ${given}`
      : / got /.test(issue.message) || (issue.code === "custom" && !primitive)
      ? issue.message // it says what was given already, or the value would only add noise
      : `${issue.message}, got ${given}`;
    return [{ path, message }];
  });
}

/**
 * One issue per unknown field, at the field's own path: the message `unknownFieldsError` wrote
 * (one line per key), or a plain one when the schema was parsed without it.
 */
function unknownFieldIssues(
  issue: z.core.$ZodIssueUnrecognizedKeys,
  prefix: string,
): ScenarioIssue[] {
  const lines = issue.message.split("\n");
  const worded = lines.length === issue.keys.length &&
    issue.keys.every((key, i) => lines[i].includes(`unknown field ${JSON.stringify(key)}`));
  return issue.keys.map((key, i) => ({
    path: formatPath([...issue.path, key], prefix),
    message: worded ? lines[i] : `unknown field ${JSON.stringify(key)} (check the spelling)`,
  }));
}
