/**
 * The bench's subprocesses: run to completion from the repository root, bounded in time (through
 * coreutils `timeout`, which signals the whole process group, so npx's children die too, and an
 * abort signal as a backstop), optionally with the generator's CPU over the middle of its load.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { type CpuWindow, cpuWindow } from "./_cpu.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const decoder = new TextDecoder();
let timeoutProgram: Promise<boolean> | null = null;

/** What a subprocess printed, how it exited, and (when asked) its CPU. */
export interface Output {
  /** Exit code. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
  /** The generator's CPU over the middle of its load (`cpu` asked), or null. */
  cpu: CpuWindow | null;
}

/** Options of {@linkcode runBounded}. */
export interface RunBoundedOptions {
  /** Time allowed, seconds. */
  timeoutS: number;
  /** Aborts the run (Ctrl-C). */
  signal: AbortSignal;
  /** Measure the CPU of the process tree over the load's middle: from 1 s in, for `loadS - 2` s. */
  cpu?: { loadS: number; thread?: RegExp };
}

/**
 * Runs a program to completion, bounded by `timeoutS`.
 *
 * @param program The program.
 * @param args Its arguments.
 * @param options Bound, abort signal, CPU window.
 * @returns Its output.
 *
 * @example
 * ```ts ignore
 * const out = await runBounded("wrk", ["-t1", "-c8", "-d2s", url], { timeoutS: 30, signal });
 * ```
 */
export async function runBounded(
  program: string,
  args: string[],
  options: RunBoundedOptions,
): Promise<Output> {
  const { timeoutS, cpu } = options;
  timeoutProgram ??= exists("timeout", ["--version"]);
  const [cmd, cmdArgs] = await timeoutProgram
    ? ["timeout", ["-k", "5", String(timeoutS), program, ...args]]
    : [program, args];
  const child = new Deno.Command(cmd, {
    args: cmdArgs,
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.any([options.signal, AbortSignal.timeout((timeoutS + 10) * 1000)]),
  }).spawn();
  let ended = false;
  const output = child.output().finally(() => ended = true);
  // The middle of the load: from 1 s in (after wedge's workers appear) for loadS - 2 s.
  const window = cpu
    ? cpuWindow(child.pid, {
      offsetMs: 1000,
      windowMs: Math.max(500, (cpu.loadS - 2) * 1000),
      thread: cpu.thread,
      ended: () => ended,
    }).catch(() => null)
    : Promise.resolve(null);
  const [out, cpuUsed] = await Promise.all([output, window]);
  return {
    code: out.code,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
    cpu: cpuUsed,
  };
}

/**
 * Whether `program` can be started at all.
 *
 * @param program The program.
 * @param args Arguments for a harmless run.
 * @returns True when it started.
 *
 * @example
 * ```ts ignore
 * if (!(await exists("wrk", ["-v"]))) console.log("no wrk");
 * ```
 */
export async function exists(program: string, args: string[] = ["--version"]): Promise<boolean> {
  try {
    await new Deno.Command(program, {
      args,
      stdin: "null",
      stdout: "null",
      stderr: "null",
      signal: AbortSignal.timeout(10_000),
    }).output();
    return true;
  } catch {
    return false;
  }
}

/**
 * The first line a program prints (its version), or why it could not be had.
 *
 * @param program The program.
 * @param args Its arguments.
 * @param options The abort signal.
 * @returns The line.
 *
 * @example
 * ```ts ignore
 * const version = await firstLine("wrk", ["--version"], { signal });
 * ```
 */
export async function firstLine(
  program: string,
  args: string[],
  options: { signal: AbortSignal },
): Promise<string> {
  try {
    const out = await runBounded(program, args, { timeoutS: 30, signal: options.signal });
    return (out.stdout + out.stderr).split("\n")[0].trim();
  } catch (error) {
    return `unavailable (${(error as Error).message})`;
  }
}
