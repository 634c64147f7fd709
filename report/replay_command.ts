/**
 * The command that replays a run from its report: the scenario (a built-in by name, else its
 * file), every resolved param as `--set`, and the seed, quoted for a POSIX shell.
 *
 * @module
 */

import type { RunReport } from "./types.ts";

/**
 * The command line that runs the report's scenario again with the same params and seed.
 *
 * @param report The scenario and seed of a run report.
 * @returns E.g. `deno task scenario hang-mre-ok --seed 7 --set nrequests=20000`.
 *
 * @example
 * ```ts
 * import { replayCommand } from "./replay_command.ts";
 * import assert from "node:assert/strict";
 *
 * const command = replayCommand({
 *   scenario: { name: "hang-mre-ok", description: "", file: "scenarios/hang_mre_ok.ts",
 *     params: { nrequests: 20000, timeLimit: "5m", label: "a b" } },
 *   seed: 7,
 * });
 * assert.equal(command,
 *   "deno task scenario hang-mre-ok --seed 7 --set nrequests=20000 --set timeLimit=5m --set 'label=a b'");
 * ```
 */
export function replayCommand(report: Pick<RunReport, "scenario" | "seed">): string {
  const { name, file, params } = report.scenario;
  const builtIn = file === null || file === `scenarios/${name.replaceAll("-", "_")}.ts`;
  const scenario = shellQuote(builtIn ? name : file);
  const words = ["deno", "task", "scenario", scenario, "--seed", String(report.seed)];
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    words.push("--set", shellQuote(`${key}=${setValue(value)}`));
  }
  return words.join(" ");
}

/**
 * A param's value as `--set` reads it back: `--set` tries the raw text against the param's schema
 * first (scenario/params.ts), so a string replays as it is (as JSON text, a string param would
 * keep the quotes), and anything else as JSON.
 */
function setValue(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * A word as a POSIX shell reads it back: as is when plain, else in single quotes.
 *
 * @param word The word.
 * @returns The word, quoted where needed.
 *
 * @example
 * ```ts
 * import { shellQuote } from "./replay_command.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(shellQuote("a b"), "'a b'");
 * assert.equal(shellQuote("k=v"), "k=v");
 * ```
 */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_=.,:/@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
