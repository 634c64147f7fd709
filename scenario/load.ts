/**
 * Finds scenarios: built-in ones by name (`hang-mre` is `scenarios/hang_mre.ts`), or any scenario
 * file by path.
 *
 * @module
 */

import { isAbsolute, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { isScenario, type ScenarioModule } from "./define.ts";
import { OptionError, ScenarioError, UsageError } from "./errors.ts";

/** Directory of the built-in scenarios. */
export const SCENARIOS_DIR: string = fileURLToPath(new URL("../scenarios/", import.meta.url));

/** A scenario found on disk. */
export interface LoadedScenario {
  /** The default export. */
  definition: ScenarioModule;
  /** Its file, relative to the working directory when inside it. */
  file: string;
}

/**
 * Tells whether a CLI argument names a file rather than a built-in scenario.
 *
 * @param nameOrPath The argument.
 * @returns True for a path such as `./my_scenario.ts`.
 *
 * @example
 * ```ts
 * import { looksLikePath } from "./load.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(looksLikePath("hang-mre"), false);
 * assert.equal(looksLikePath("./mine.ts"), true);
 * ```
 */
export function looksLikePath(nameOrPath: string): boolean {
  return /[\\/]/.test(nameOrPath) || /\.(ts|js|mts|mjs)$/.test(nameOrPath);
}

async function importScenario(path: string, shown: string): Promise<ScenarioModule> {
  let mod: { default?: unknown };
  try {
    mod = await import(pathToFileURL(path).href);
  } catch (error) {
    const message = error instanceof OptionError
      ? error.message
      : `could not load the module: ${error instanceof Error ? error.message : error}`;
    throw new ScenarioError([{ path: "", message }], { file: shown });
  }
  if (!isScenario(mod.default)) {
    throw new ScenarioError([{
      path: "",
      message: "expected `export default defineScenario({...})` in the file",
    }], { file: shown });
  }
  return mod.default;
}

/** A built-in scenario, listed. */
export interface ScenarioListing {
  /** Name on the command line. */
  name: string;
  /** One-line description. */
  description: string;
  /** File, relative to the scenarios directory. */
  file: string;
  /** The definition. */
  definition: ScenarioModule;
}

/**
 * Lists the built-in scenarios, sorted by name.
 *
 * @returns One entry per file in `scenarios/`.
 *
 * @example
 * ```ts
 * import { listScenarios } from "./load.ts";
 *
 * const names = (await listScenarios()).map((s) => s.name);
 * ```
 */
export async function listScenarios(): Promise<ScenarioListing[]> {
  const out: ScenarioListing[] = [];
  for await (const entry of Deno.readDir(SCENARIOS_DIR)) {
    if (!entry.isFile || !entry.name.endsWith(".ts") || entry.name.startsWith("_")) continue;
    const definition = await importScenario(resolve(SCENARIOS_DIR, entry.name), entry.name);
    out.push({
      name: definition.name,
      description: definition.description,
      file: `scenarios/${entry.name}`,
      definition,
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Loads a scenario by built-in name or by path.
 *
 * @param nameOrPath `hang-mre`, or a path such as `./my_scenario.ts`.
 * @param options `cwd`: where relative paths start.
 * @returns The definition and its file.
 * @throws {UsageError} If no such scenario or file exists.
 * @throws {ScenarioError} If the file does not load or does not export a scenario.
 *
 * @example
 * ```ts
 * import { loadScenario } from "./load.ts";
 *
 * const { definition } = await loadScenario("hang-mre-ok");
 * ```
 */
export async function loadScenario(
  nameOrPath: string,
  options: { cwd?: string } = {},
): Promise<LoadedScenario> {
  const cwd = options.cwd ?? Deno.cwd();
  if (looksLikePath(nameOrPath)) {
    const path = isAbsolute(nameOrPath) ? nameOrPath : resolve(cwd, nameOrPath);
    try {
      await Deno.stat(path);
    } catch {
      throw new UsageError(`no scenario file at ${path}`);
    }
    const shown = relative(cwd, path).startsWith("..") ? path : relative(cwd, path);
    return { definition: await importScenario(path, shown), file: shown };
  }
  const file = resolve(SCENARIOS_DIR, `${nameOrPath.replaceAll("-", "_")}.ts`);
  let exists = true;
  try {
    await Deno.stat(file);
  } catch {
    exists = false;
  }
  if (!exists || !/^[a-z0-9-]+$/.test(nameOrPath)) {
    const names = (await listScenarios()).map((s) => s.name);
    throw new UsageError(
      `no built-in scenario named "${nameOrPath}". Built-in scenarios: ${
        names.join(", ")
      }. To run your own, pass its path (e.g. ./my_scenario.ts).`,
    );
  }
  const shown = `scenarios/${nameOrPath.replaceAll("-", "_")}.ts`;
  const definition = await importScenario(file, shown);
  if (definition.name !== nameOrPath) {
    throw new ScenarioError([{
      path: "name",
      message: `expected "${nameOrPath}" to match the file name, got "${definition.name}"`,
    }], { file: shown });
  }
  return { definition, file: shown };
}
