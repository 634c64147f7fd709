/**
 * Checks the options object a behaviour constructor was given: every key must be one it takes.
 * Internal to `scenario/`.
 *
 * @module
 */

import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { OptionError } from "./errors.ts";
import { unknownFieldMessage } from "./unknown_fields.ts";
import { describeValue } from "./zod_issues.ts";

const HERE = new URL("./", import.meta.url).href;

/** `file:line` of the first stack frame outside this folder: the scenario's call. */
function callSite(): string | null {
  for (const line of (new Error().stack ?? "").split("\n").slice(1)) {
    const match = line.match(/(file:\/\/[^\s()]+?):(\d+):\d+\)?$/);
    if (!match || match[1].startsWith(HERE)) continue;
    const path = fileURLToPath(match[1]);
    let shown = path;
    try {
      const near = relative(Deno.cwd(), path);
      if (!near.startsWith("..")) shown = near;
    } catch { /* no read permission: the absolute path */ }
    return `${shown}:${match[2]}`;
  }
  return null;
}

/**
 * Throws an {@linkcode OptionError} when `options` is not an object, or has a key not in `known`:
 * the constructor, the key, the option it is closest to, and the caller's file and line.
 *
 * @param options What the constructor was given (undefined is fine unless `required`).
 * @param of The constructor's name, the options it takes, and whether an object is required.
 * @throws {OptionError} On anything else.
 *
 * @example
 * ```ts
 * import { checkOptions } from "./_options.ts";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => checkOptions({ evry: 3 }, { call: "hang", known: ["every"] }), /did you mean "every"/);
 * ```
 */
export function checkOptions(
  options: unknown,
  of: { call: string; known: readonly string[]; required?: boolean },
): void {
  if (options === undefined && !of.required) return;
  const problems = typeof options !== "object" || options === null || Array.isArray(options)
    ? [`expected an options object, got ${describeValue(options)}`]
    : Object.keys(options).filter((key) => !of.known.includes(key))
      .map((key) => unknownFieldMessage(key, of.known, { noun: "option" }));
  if (problems.length === 0) return;
  const where = callSite();
  throw new OptionError(`${of.call}()${where ? ` at ${where}` : ""}: ${problems.join("; ")}`);
}
