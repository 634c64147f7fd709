/**
 * The minimized scenario `--shrink` writes: `NAME.min.ts`, a small module that imports the
 * original and gives its params the shrunk values as defaults, so it fails on its own (and
 * `--set` still overrides it). Next to the original; for a built-in scenario, in the working
 * directory.
 *
 * @module
 */

import { basename, dirname, isAbsolute, relative, resolve } from "node:path";
import { looksLikePath, SCENARIOS_DIR } from "../scenario/load.ts";
import type { ShrinkParams } from "./shrink.ts";

/** The first line of every file written here: only such a file is ever overwritten. */
export const MIN_SCENARIO_MARK = "// Written by wedge --shrink";

/** Where the minimized scenario goes, and how it imports the original. */
export interface MinScenarioPlace {
  /** Absolute path of the `.min.ts` file. */
  path: string;
  /** The import specifier of the original, relative to `path`. */
  importPath: string;
  /** True for a built-in scenario (the file goes to the working directory). */
  builtIn: boolean;
}

/**
 * Where `NAME.min.ts` goes for a scenario given as on the command line.
 *
 * @param scenario A built-in name or a path.
 * @param cwd The working directory.
 * @returns The file's path and the original's import specifier.
 *
 * @example
 * ```ts
 * import { minScenarioPlace } from "./min_scenario.ts";
 * import assert from "node:assert/strict";
 *
 * const place = minScenarioPlace("./checks/mine.ts", "/home/me");
 * assert.equal(place.path, "/home/me/checks/mine.min.ts");
 * assert.equal(place.importPath, "./mine.ts");
 * ```
 */
export function minScenarioPlace(scenario: string, cwd: string): MinScenarioPlace {
  const builtIn = !looksLikePath(scenario);
  const original = builtIn
    ? resolve(SCENARIOS_DIR, `${scenario.replaceAll("-", "_")}.ts`)
    : isAbsolute(scenario)
    ? scenario
    : resolve(cwd, scenario);
  const stem = basename(original).replace(/\.(ts|js|mts|mjs)$/, "");
  const path = resolve(builtIn ? cwd : dirname(original), `${stem}.min.ts`);
  let importPath = relative(dirname(path), original).replaceAll("\\", "/");
  if (!importPath.startsWith(".")) importPath = `./${importPath}`;
  return { path, importPath, builtIn };
}

/** What the header of a minimized scenario says. */
export interface MinScenarioNote {
  /** The original as given, e.g. `hang-server` or `./mine.ts`. */
  scenario: string;
  /** The failing assertion it keeps. */
  assertion: string;
  /** When it was written (ISO time). */
  writtenAt: string;
}

/**
 * The text of a minimized scenario.
 *
 * @param importPath The original's import specifier.
 * @param params The shrunk params (their new defaults).
 * @param note What the header says.
 * @returns A TypeScript module.
 *
 * @example
 * ```ts
 * import { minScenarioText } from "./min_scenario.ts";
 * import assert from "node:assert/strict";
 *
 * const text = minScenarioText("./mine.ts", { nservers: 7 }, {
 *   scenario: "./mine.ts", assertion: "noStallLongerThan", writtenAt: "2026-11-30T14:00:00Z",
 * });
 * assert.match(text, /import base from "\.\/mine\.ts";/);
 * ```
 */
export function minScenarioText(
  importPath: string,
  params: ShrinkParams,
  note: MinScenarioNote,
): string {
  const line = Object.entries(params).map(([k, v]) => `${k}=${v}`).join(" ");
  const entries = Object.entries(params).map(([k, v]) =>
    `  ${JSON.stringify(k)}: ${JSON.stringify(v)},\n`
  );
  return `${MIN_SCENARIO_MARK} on ${note.writtenAt}, from ${note.scenario}.
// The smallest shape found that still fails ${note.assertion}:
// ${line}.
// The same scenario with these values as its params' defaults (--set still overrides them).
import base from ${JSON.stringify(importPath)};

const MIN: Record<string, unknown> = {
${entries.join("")}};
const SHRUNK = ${JSON.stringify(line)};

type Field = { default(value: unknown): unknown };
const params = base.params!;
const fields = params.shape as unknown as Record<string, Field>;
const shrunk = Object.fromEntries(
  Object.entries(MIN).map(([k, v]) => [k, fields[k].default(v)]),
);

export default {
  ...base,
  description: \`\${base.description} (shrunk: \${SHRUNK})\`,
  params: params.extend(shrunk as typeof params.shape),
};
`;
}

/**
 * Writes the minimized scenario, unless a file that wedge did not write is already there.
 *
 * @param place Where (from {@linkcode minScenarioPlace}).
 * @param text What (from {@linkcode minScenarioText}).
 * @returns Null when written, else why not (to print).
 *
 * @example
 * ```ts ignore
 * import { minScenarioPlace, minScenarioText, writeMinScenario } from "./min_scenario.ts";
 *
 * const place = minScenarioPlace("./mine.ts", Deno.cwd());
 * await writeMinScenario(place, minScenarioText(place.importPath, { n: 7 }, note));
 * ```
 */
export async function writeMinScenario(
  place: MinScenarioPlace,
  text: string,
): Promise<string | null> {
  try {
    const existing = await Deno.readTextFile(place.path);
    if (!existing.startsWith(MIN_SCENARIO_MARK)) {
      return `${place.path} exists and was not written by wedge --shrink: left as it is`;
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) return `cannot read ${place.path}: ${error}`;
  }
  try {
    await Deno.writeTextFile(place.path, text);
    return null;
  } catch (error) {
    return `cannot write ${place.path}: ${error instanceof Error ? error.message : error}`;
  }
}
