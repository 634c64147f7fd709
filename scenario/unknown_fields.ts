/**
 * One message for a field a scenario object does not have, wherever it is (the scenario itself,
 * a server or client fleet of any kind, a behaviour, limits, a request...): the field, and the
 * known field it is closest to when one is close, else the known fields. Internal to `scenario/`.
 *
 * @module
 */

import type { z } from "zod";

/** Edit distance (insertions, deletions, substitutions, swaps of neighbours), ignoring case. */
function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d = Array.from({ length: s.length + 1 }, (_, i) => [i, ...Array(t.length).fill(0)]);
  for (let j = 1; j <= t.length; j++) d[0][j] = j;
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[s.length][t.length];
}

/**
 * The known field a misspelt one most likely meant: the closest by edit distance, when it is
 * at most 2 edits away and fewer than half the key's letters; otherwise null.
 *
 * @param key The field as written.
 * @param known The object's fields.
 * @returns The closest known field, or null when none is close.
 *
 * @example
 * ```ts
 * import { closestField } from "./unknown_fields.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(closestField("cout", ["name", "count"]), "count");
 * assert.equal(closestField("colour", ["name", "count"]), null);
 * ```
 */
export function closestField(key: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const field of known) {
    const distance = editDistance(key, field);
    if (distance < bestDistance) [best, bestDistance] = [field, distance];
  }
  return bestDistance <= 2 && bestDistance * 2 < key.length ? best : null;
}

/**
 * What to say about a field an object does not have: a did-you-mean when a known field is close,
 * else the known fields.
 *
 * @param key The field as written.
 * @param known The object's fields.
 * @param options `noun`: what a field is called (`"option"` for a constructor's options).
 * @returns The message, without the field path.
 *
 * @example
 * ```ts
 * import { unknownFieldMessage } from "./unknown_fields.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(unknownFieldMessage("cout", ["name", "count"]), 'unknown field "cout" (did you mean "count"?)');
 * assert.equal(unknownFieldMessage("x", ["name", "count"]), 'unknown field "x" (known fields: name, count)');
 * ```
 */
export function unknownFieldMessage(
  key: string,
  known: readonly string[],
  options: { noun?: string } = {},
): string {
  const noun = options.noun ?? "field";
  const close = closestField(key, known);
  return close !== null
    ? `unknown ${noun} ${JSON.stringify(key)} (did you mean ${JSON.stringify(close)}?)`
    : `unknown ${noun} ${JSON.stringify(key)} (known ${noun}s: ${known.join(", ") || "none"})`;
}

/**
 * A zod error map (`schema.safeParse(value, { error: unknownFieldsError })`) that words an
 * object's unknown fields with {@linkcode unknownFieldMessage}, one line per field (in the order
 * of the issue's `keys`, which `issuesFromZod` relies on); other issues keep their messages.
 *
 * @param issue The issue zod is about to finalize.
 * @returns The message for unknown fields, or undefined for zod's own.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { unknownFieldsError } from "./unknown_fields.ts";
 * import assert from "node:assert/strict";
 *
 * const result = z.strictObject({ count: z.number() }).safeParse({ cout: 1 }, { error: unknownFieldsError });
 * assert.match(result.error!.issues.at(-1)!.message, /did you mean "count"/);
 * ```
 */
export function unknownFieldsError(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== "unrecognized_keys") return undefined;
  const shape = (issue.inst as { _zod?: { def?: { shape?: object } } } | undefined)?._zod?.def
    ?.shape;
  if (!shape) return undefined;
  const known = Object.keys(shape);
  return issue.keys.map((key) => unknownFieldMessage(key, known)).join("\n");
}
