/**
 * The command line of a subcommand (`wedge diff`, `report`, `merge`, `k8s`): its flags parsed
 * with `-h`/`--help` added, `--help` answered, an unknown flag or a wrong number of arguments
 * refused with exit 2, naming the subcommand and its `--help`.
 *
 * @module
 */

import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { UsageError } from "../scenario/errors.ts";
import type { CliIo } from "./output.ts";

/** What a subcommand takes. */
export interface CommandSpec<O extends ParseArgsOptionsConfig> {
  /** The subcommand, e.g. `diff`. */
  name: string;
  /** Its flags, for `node:util` `parseArgs` (`help`/`-h` is added). */
  options: O;
  /** Its `--help` text. */
  help: string;
  /**
   * The arguments it takes and how they read, e.g. `[2, "diff A.json B.json"]`; null: none
   * (a subcommand that hands its other arguments on). @default {null}
   */
  positionals?: [count: number, usage: string] | null;
}

/** A subcommand's command line, parsed. */
export interface CommandLine<O extends ParseArgsOptionsConfig> {
  /** The flags' values. */
  values: ReturnType<typeof parseFlags<O>>["values"];
  /** The arguments that are not flags. */
  positionals: string[];
}

/**
 * Parses a subcommand's command line; `--help` prints its help on `io.out`.
 *
 * @param args The arguments after the subcommand's name.
 * @param spec The subcommand's name, flags, help and arguments.
 * @param io Where `--help` is printed.
 * @returns The flags and arguments, or null when `--help` was answered (exit 0).
 * @throws {UsageError} For an unknown flag, a flag without its value, or a wrong number of
 *   arguments: the message names the subcommand and says to see its `--help` (exit 2).
 *
 * @example
 * ```ts
 * import { parseCommandArgs } from "./command_args.ts";
 * import assert from "node:assert/strict";
 *
 * const spec = { name: "demo", options: { html: { type: "string" } } as const, help: "Usage: demo A\n" };
 * const io = { out: () => {} };
 * const line = parseCommandArgs(["a.json", "--html", "a.html"], { ...spec, positionals: [1, "demo A"] }, io);
 * assert.equal(line?.values.html, "a.html");
 * assert.equal(parseCommandArgs(["-h"], spec, io), null);
 * assert.throws(() => parseCommandArgs(["--nope"], spec, io), /demo: Unknown option '--nope'/);
 * ```
 */
export function parseCommandArgs<O extends ParseArgsOptionsConfig>(
  args: string[],
  spec: CommandSpec<O>,
  io: Pick<CliIo, "out">,
): CommandLine<O> | null {
  const { name, positionals: expected = null } = spec;
  let parsed;
  try {
    parsed = parseFlags(args, spec.options);
  } catch (error) {
    throw new UsageError(`${name}: ${(error as Error).message}. See ${name} --help.`);
  }
  if ((parsed.values as { help?: boolean }).help) {
    io.out(spec.help);
    return null;
  }
  if (expected && parsed.positionals.length !== expected[0]) {
    throw new UsageError(
      `expected "${expected[1]}", got "${[name, ...args].join(" ")}". See ${name} --help.`,
    );
  }
  return parsed;
}

function parseFlags<O extends ParseArgsOptionsConfig>(args: string[], options: O) {
  const help = { type: "boolean", short: "h", default: false } as const;
  return parseArgs({ args, allowPositionals: true, options: { ...options, help } });
}
