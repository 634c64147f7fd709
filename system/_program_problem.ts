/**
 * Whether a program can be run, looked up as a spawn would: the supervisor's shell always
 * starts, so a missing program is looked for before it (`child_process.ts`).
 *
 * @module
 */

import { resolve } from "node:path";

type Runnable = "yes" | "no" | "not-executable" | "unknown";

function runnable(path: string): Runnable {
  try {
    const info = Deno.statSync(path);
    if (!info.isFile) return "no";
    return info.mode === null || (info.mode & 0o111) !== 0 ? "yes" : "not-executable";
  } catch (error) {
    return error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory
      ? "no"
      : "unknown";
  }
}

/**
 * Why `program` cannot be run, as a spawn would say it, or null when it can (or this cannot
 * tell): a name without a slash is looked up in the command's PATH, a path from its cwd.
 *
 * @param program The program (argv[0]).
 * @param options The command's `cwd` (null: wedge's) and `env` (its PATH, else wedge's).
 * @returns The problem (`no such file`, `the file is not executable`, `not found in PATH`), or null.
 *
 * @example
 * ```ts
 * import { programProblem } from "./_program_problem.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(programProblem("./no-such-program", { cwd: null, env: {} }), "no such file");
 * ```
 */
export function programProblem(
  program: string,
  options: { cwd: string | null; env: Record<string, string> },
): string | null {
  try {
    const base = options.cwd === null ? Deno.cwd() : resolve(options.cwd);
    if (program.includes("/")) {
      const found = runnable(resolve(base, program));
      return found === "no"
        ? "no such file"
        : found === "not-executable"
        ? "the file is not executable"
        : null;
    }
    const path = options.env.PATH ?? Deno.env.get("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
    const dirs = path.split(":").map((dir) => resolve(base, dir || "."));
    const found = dirs.map((dir) => runnable(resolve(dir, program)));
    return found.some((f) => f === "yes" || f === "unknown") ? null : "not found in PATH";
  } catch {
    return null; // no permission to look: let the start tell
  }
}
