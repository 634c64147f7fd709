/**
 * Where `--json` sends a document of an exploration, a shrink search or a merge: stdout for
 * `--json -`, else the file (said on stderr), else nowhere.
 *
 * @module
 */

/** What `--json` asked for (as `cli/args.ts` parsed it). */
export interface JsonTarget {
  /** `--json PATH`, absolute and checked writable; null or absent for none. @default {null} */
  jsonPath?: string | null;
  /** `--json -`: the JSON to stdout. @default {false} */
  jsonToStdout?: boolean;
}

/**
 * Writes JSON text where `--json` asked for it.
 *
 * @param json The JSON text, ending with a newline.
 * @param target `--json`'s path or stdout.
 * @param io stdout (`--json -`) and stderr (says which file was written).
 *
 * @example
 * ```ts
 * import { writeJsonOutput } from "./json_output.ts";
 * import assert from "node:assert/strict";
 *
 * const out: string[] = [];
 * const io = { out: (t: string) => void out.push(t), err: () => {} };
 * await writeJsonOutput('{"a":1}\n', { jsonToStdout: true }, io);
 * assert.deepEqual(out, ['{"a":1}\n']);
 * ```
 */
export async function writeJsonOutput(
  json: string,
  target: JsonTarget,
  io: { out(text: string): void; err(text: string): void },
): Promise<void> {
  if (target.jsonToStdout) io.out(json);
  else if (target.jsonPath) {
    await Deno.writeTextFile(target.jsonPath, json);
    io.err(`wedge: JSON written to ${target.jsonPath}\n`);
  }
}
