// Runs the wedge CLI as a subprocess, as a user would, for the CLI-level tests.
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT: string = fileURLToPath(new URL("../", import.meta.url));

/** What a CLI run printed and how it exited. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `deno run --allow-all cli/main.ts ...args` from the repository root, with NO_COLOR set.
 * The CLI must exit by itself; the bound (60 s, or `timeoutMs`) only keeps a broken build from
 * hanging the suite.
 */
export function runCli(
  args: string[],
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CliResult> {
  return runCommand(Deno.execPath(), ["run", "--allow-all", "cli/main.ts", ...args], options);
}

/**
 * Runs a program from the repository root with NO_COLOR set (stdin closed), bounded by 60 s or
 * `timeoutMs`, and collects what it printed.
 */
export async function runCommand(
  program: string,
  args: string[],
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CliResult> {
  const output = await new Deno.Command(program, {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1", ...options.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/**
 * Starts `deno run --allow-all cli/main.ts ...args` from the repository root with NO_COLOR set
 * (output piped, bounded by 60 s), for a test that acts on the run while it goes (its PID and
 * threads); the caller reaps it by PID.
 */
export function spawnCli(args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "cli/main.ts", ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).spawn();
}
