/**
 * Keeps `.wedge/logs` from growing without end: removes the oldest runs' log directories.
 *
 * @module
 */

import { join } from "node:path";

/**
 * How many runs' log directories the CLI keeps when neither `--keep-logs` nor WEDGE_KEEP_LOGS says.
 *
 * @example
 * ```ts
 * import { DEFAULT_KEEP_LOGS } from "./log_retention.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_KEEP_LOGS, 50);
 * ```
 */
export const DEFAULT_KEEP_LOGS = 50;

/** Options for {@linkcode pruneLogDirs}. */
export interface PruneLogDirsOptions {
  /** How many directories stay: the newest ones (by modification time). @default {DEFAULT_KEEP_LOGS} */
  keep?: number;
}

/** What {@linkcode pruneLogDirs} did. */
export interface PruneLogDirsResult {
  /** Full paths of the directories removed, oldest first. */
  removed: string[];
  /** How many directories are left. */
  kept: number;
}

/**
 * Removes the oldest directories directly under `root` so that at most `keep` remain. Only
 * directories are touched (files and symbolic links stay); a missing `root` is nothing to do.
 * Age is the directory's modification time, ties broken by name (a run's directory is named
 * `<scenario>-<ISO time>`).
 *
 * @param root The logs directory, e.g. `.wedge/logs`.
 * @param options How many to keep.
 * @returns The removed directories and how many are left.
 * @throws {RangeError} If `keep` is not a non-negative integer.
 *
 * @example Keep the two newest runs' logs
 * ```ts
 * import { pruneLogDirs } from "./log_retention.ts";
 * import assert from "node:assert/strict";
 *
 * const root = await Deno.makeTempDir();
 * for (const name of ["a", "b", "c"]) {
 *   await Deno.mkdir(`${root}/${name}`);
 *   await Deno.utime(`${root}/${name}`, 0, { a: 1, b: 2, c: 3 }[name]!);
 * }
 * const { removed, kept } = await pruneLogDirs(root, { keep: 2 });
 * assert.deepEqual(removed, [`${root}/a`]);
 * assert.equal(kept, 2);
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function pruneLogDirs(
  root: string,
  options: PruneLogDirsOptions = {},
): Promise<PruneLogDirsResult> {
  const keep = options.keep ?? DEFAULT_KEEP_LOGS;
  if (!Number.isInteger(keep) || keep < 0) {
    throw new RangeError(`keep must be a non-negative integer, got ${keep}`);
  }
  const dirs: { path: string; name: string; mtimeMs: number }[] = [];
  try {
    for await (const entry of Deno.readDir(root)) {
      if (!entry.isDirectory) continue;
      const path = join(root, entry.name);
      try {
        const info = await Deno.lstat(path);
        dirs.push({ path, name: entry.name, mtimeMs: info.mtime?.getTime() ?? 0 });
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error; // removed meanwhile
      }
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { removed: [], kept: 0 };
    throw error;
  }
  // Oldest first.
  dirs.sort((a, b) => a.mtimeMs - b.mtimeMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const removed: string[] = [];
  for (const dir of dirs.slice(0, Math.max(0, dirs.length - keep))) {
    try {
      await Deno.remove(dir.path, { recursive: true });
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    removed.push(dir.path);
  }
  return { removed, kept: dirs.length - removed.length };
}
