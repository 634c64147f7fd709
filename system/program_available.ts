/**
 * Whether a program a scenario names can be run here, before anything starts: the public face of
 * the supervisor's own look-up (`_program_problem.ts`), and the Debian package of the load tools
 * the seeds used, for the message that tells what to install.
 *
 * @module
 */

import { programProblem } from "./_program_problem.ts";

/** Debian packages of programs whose package has another name (`ab` is in apache2-utils). */
const DEBIAN_PACKAGES: Record<string, string> = { ab: "apache2-utils", python3: "python3" };

/**
 * Why `program` cannot be run, or null when it can (or this cannot tell).
 *
 * @param program The program (argv[0]): a name looked up in PATH, or a path from `cwd`.
 * @param options Its working directory (null: wedge's) and environment (its PATH).
 * @returns `no such file`, `the file is not executable`, `not found in PATH`, or null.
 *
 * @example
 * ```ts
 * import { programUnavailable } from "./program_available.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(programUnavailable("no-such-program-here", { cwd: null, env: {} }), "not found in PATH");
 * ```
 */
export function programUnavailable(
  program: string,
  options: { cwd: string | null; env: Record<string, string> },
): string | null {
  return programProblem(program, options);
}

/**
 * How to install a program by its name on Debian or Ubuntu.
 *
 * @param program A bare program name, e.g. `ab`.
 * @returns E.g. `apt-get install apache2-utils`.
 *
 * @example
 * ```ts
 * import { installHint } from "./program_available.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(installHint("ab"), "apt-get install apache2-utils");
 * assert.equal(installHint("hey"), "apt-get install hey");
 * ```
 */
export function installHint(program: string): string {
  return `apt-get install ${DEBIAN_PACKAGES[program] ?? program}`;
}
