/**
 * Where the CLI writes and what it writes besides progress: the standard streams (quiet once
 * closed), the scenario list, the version, and the report as text and `--json`, with the check
 * that a `--json` path can be written before anything runs.
 *
 * @module
 */

import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "../scenario/errors.ts";
import { z } from "zod";
import type { RunReport } from "../report/types.ts";
import { renderTextReport } from "../report/text.ts";
import { renderJUnit } from "../report/junit.ts";
import { renderHtmlReport } from "../report/html/mod.ts";
import { describeParams } from "../scenario/params.ts";
import { listScenarios } from "../scenario/load.ts";
import denoConfig from "../deno.json" with { type: "json" };

/** Where the CLI writes, so tests can capture it. */
export interface CliIo {
  /** Writes to stdout; once stdout is closed, writes nothing (and never throws). */
  out(text: string): void;
  /** Writes to stderr; once stderr is closed, writes nothing (and never throws). */
  err(text: string): void;
  /** Working directory for relative paths. */
  cwd: string;
  /** Whether stderr is a terminal (progress redraws in place). */
  tty: boolean;
  /** Whether to colour the report: stdout is a terminal and NO_COLOR is not set. */
  color: boolean;
}

/**
 * The process's own streams and the directory where the user typed the command.
 *
 * @returns The CLI's default {@linkcode CliIo}.
 *
 * @example
 * ```ts
 * import { defaultIo } from "./output.ts";
 *
 * defaultIo().err("wedge: hello\n");
 * ```
 */
export function defaultIo(): CliIo {
  return {
    out: quietWhenClosed(Deno.stdout),
    err: quietWhenClosed(Deno.stderr),
    cwd: userCwd(),
    tty: Deno.stderr.isTerminal(),
    color: Deno.stdout.isTerminal() && !Deno.env.get("NO_COLOR"),
  };
}

/**
 * A writer that writes every byte, and after the first failed write (a closed pipe, as in
 * `--list | head -1`, or a hung-up terminal) drops the rest quietly: nothing is left to tell.
 */
function quietWhenClosed(file: { writeSync(p: Uint8Array): number }): (text: string) => void {
  const encoder = new TextEncoder();
  let closed = false;
  return (text) => {
    if (closed) return;
    let bytes = encoder.encode(text);
    try {
      while (bytes.length > 0) bytes = bytes.subarray(file.writeSync(bytes));
    } catch {
      closed = true;
    }
  };
}

/**
 * Where the user typed the command. `deno task scenario` runs in wedge's own directory and says
 * where it was typed in INIT_CWD; anywhere else (an installed `wedge`, `deno run`, even a task of
 * another project that calls wedge) the working directory is the user's, whatever INIT_CWD says.
 */
function userCwd(): string {
  const initCwd = Deno.env.get("INIT_CWD");
  const wedgeRoot = fileURLToPath(new URL("../", import.meta.url)).replace(/\/$/, "");
  return initCwd && Deno.cwd() === wedgeRoot ? initCwd : Deno.cwd();
}

/**
 * Writes `--list`: each built-in scenario, its description and its params with their defaults.
 *
 * @param io Where to write.
 *
 * @example
 * ```ts ignore
 * await printList(defaultIo());
 * ```
 */
export async function printList(io: Pick<CliIo, "out">): Promise<void> {
  const scenarios = await listScenarios();
  const width = Math.max(...scenarios.map((s) => s.name.length));
  for (const s of scenarios) {
    io.out(`${s.name.padEnd(width)}  ${s.description}\n`);
    const params = describeParams(s.definition.params ?? z.object({}));
    if (params.length) {
      io.out(
        `${" ".repeat(width)}  params: ${
          params.map((p) =>
            `${p.name}=${p.default === undefined ? "(unset)" : JSON.stringify(p.default)}`
          ).join(" ")
        }\n`,
      );
    }
  }
}

/**
 * The `--version` text: wedge's version (deno.json) and Deno's.
 *
 * @returns Two lines, `wedge X.Y.Z` and `deno X.Y.Z (v8 ..., typescript ...)`.
 *
 * @example
 * ```ts
 * import { versionText } from "./output.ts";
 * import assert from "node:assert/strict";
 *
 * assert.match(versionText(), /^wedge \d+\.\d+\.\d+\ndeno /);
 * ```
 */
export function versionText(): string {
  const { deno, v8, typescript } = Deno.version;
  return `wedge ${denoConfig.version}\ndeno ${deno} (v8 ${v8}, typescript ${typescript})\n`;
}

/**
 * An error as a message says it: its message, or what it is when it is not an `Error`.
 *
 * @param error Anything thrown.
 * @returns The text to show.
 *
 * @example
 * ```ts
 * import { describeError } from "./output.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(describeError(new Error("no such file")), "no such file");
 * ```
 */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Checks, before anything runs, that the report can be written to `path`: its directory exists
 * and is writable, and `path` itself is not a directory. Writes nothing that stays.
 *
 * @param path The absolute `--json` path.
 * @returns What is wrong, or null.
 *
 * @example
 * ```ts
 * import { jsonPathProblem } from "./output.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(await jsonPathProblem("/no/such/dir/report.json"),
 *   "its directory /no/such/dir does not exist");
 * ```
 */
export async function jsonPathProblem(path: string): Promise<string | null> {
  try {
    const info = await Deno.stat(path);
    if (info.isDirectory) return "it is a directory";
    // It exists: opening it for writing, without truncating, says whether it can be written.
    (await Deno.open(path, { write: true })).close();
    return null;
  } catch (error) {
    const missing = error instanceof Deno.errors.NotFound ||
      error instanceof Deno.errors.NotADirectory;
    if (!missing) return describeError(error);
  }
  const dir = dirname(path);
  try {
    const info = await Deno.stat(dir);
    if (!info.isDirectory) return `${dir} is not a directory`;
  } catch (error) {
    return error instanceof Deno.errors.NotFound
      ? `its directory ${dir} does not exist`
      : `its directory ${dir}: ${describeError(error)}`;
  }
  try {
    await Deno.remove(await Deno.makeTempFile({ dir, prefix: ".wedge-json-check-" }));
    return null;
  } catch (error) {
    return `its directory ${dir} is not writable: ${describeError(error)}`;
  }
}

/**
 * An output file flag's absolute path, checked writable before anything runs (with
 * {@linkcode jsonPathProblem}); null when the flag is not given.
 *
 * @param flag The flag, for the message, e.g. `"--html"`.
 * @param value Its value, as given.
 * @param options `cwd`: where a relative path starts (default: the process's).
 * @returns The absolute path, or null.
 * @throws {UsageError} For `-` (only `--json` writes to stdout) or a path that cannot be written.
 *
 * @example
 * ```ts
 * import { writablePath } from "./output.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(await writablePath("--html", "r.html", { cwd: "/tmp" }), "/tmp/r.html");
 * assert.equal(await writablePath("--html", undefined), null);
 * ```
 */
export async function writablePath(
  flag: string,
  value: string | undefined,
  options: { cwd?: string } = {},
): Promise<string | null> {
  if (value === undefined) return null;
  if (value === "-") {
    throw new UsageError(`${flag} -: give a file path; only --json can write to stdout (--json -)`);
  }
  const path = resolve(options.cwd ?? Deno.cwd(), value);
  const problem = await jsonPathProblem(path);
  if (problem) throw new UsageError(`${flag} ${path}: cannot write the report there: ${problem}`);
  return path;
}

/** Where the report goes besides the text report. */
export interface WriteReportOptions {
  /** The `--json` file, checked by {@linkcode jsonPathProblem}; null for none. @default {null} */
  jsonPath?: string | null;
  /** `--json -`: the JSON to stdout and the text report to stderr. @default {false} */
  jsonToStdout?: boolean;
  /** `--all-servers`: every server and incident, not summaries. @default {false} */
  allServers?: boolean;
  /** The `--junit` file, checked like `jsonPath`; null for none. @default {null} */
  junitPath?: string | null;
  /** The `--html` file, checked like `jsonPath`; null for none. @default {null} */
  htmlPath?: string | null;
}

/**
 * Writes the report: the JSON first (a closed stdout or a hung-up terminal must not lose it), to
 * its file or stdout, then the text report to stdout, or to stderr when the JSON went to stdout.
 *
 * @param report The judged report.
 * @param io Where to write.
 * @param options The `--json` target and `--all-servers`.
 *
 * @example
 * ```ts ignore
 * await writeReport(report, io, { jsonPath: "/tmp/report.json" });
 * ```
 */
export async function writeReport(
  report: RunReport,
  io: CliIo,
  options: WriteReportOptions = {},
): Promise<void> {
  const { jsonPath = null, jsonToStdout = false, allServers = false } = options;
  const json = JSON.stringify(report, null, 2) + "\n";
  if (jsonPath !== null) {
    await Deno.writeTextFile(jsonPath, json);
    io.err(`wedge: report written to ${jsonPath}\n`);
  }
  if (options.junitPath) {
    await Deno.writeTextFile(options.junitPath, renderJUnit([report]));
    io.err(`wedge: JUnit XML written to ${options.junitPath}\n`);
  }
  if (options.htmlPath) {
    await Deno.writeTextFile(options.htmlPath, renderHtmlReport(report));
    io.err(`wedge: HTML report written to ${options.htmlPath}\n`);
  }
  const text = renderTextReport(report, { color: io.color, allServers });
  if (jsonToStdout) {
    io.out(json);
    io.err(text);
  } else {
    io.out(text);
  }
}
