/**
 * `wedge merge`'s core: the cell documents of one exploration (written by `--cell I --json`, e.g.
 * by the pods of a Kubernetes Indexed Job) gathered into the exploration document a local sweep
 * makes, so that the same table, grid and summary follow (latency merged exactly from each run's
 * HDR histogram).
 *
 * @module
 */

import { join } from "node:path";
import { UsageError } from "../scenario/errors.ts";
import {
  CELL_SCHEMA,
  type CellDocument,
  type ExploreDocument,
  exploreDocument,
} from "./document.ts";

/** A cell document and the file it came from. */
export interface CellFile {
  /** The file's path. */
  path: string;
  /** Its document. */
  document: CellDocument;
}

/**
 * Reads the cell documents in a directory: every `*.json` or `*.log` file directly in it that is
 * a cell document (`schema` `wedge.cell`) or holds one as a line (a pod's log, from
 * `--cell I --json -`); other files are returned as skipped.
 *
 * @param dir The directory.
 * @returns The cell files, by name, and the paths skipped (not JSON, or not a cell document).
 * @throws {UsageError} If the directory cannot be read.
 *
 * @example
 * ```ts
 * import { readCellFiles } from "./merge.ts";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/other.json`, "{}");
 * assert.deepEqual((await readCellFiles(dir)).cells, []);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function readCellFiles(
  dir: string,
): Promise<{ cells: CellFile[]; skipped: string[] }> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isFile && /\.(json|log)$/.test(entry.name)) names.push(entry.name);
    }
  } catch (error) {
    throw new UsageError(`merge ${dir}: cannot read the directory: ${(error as Error).message}`);
  }
  const cells: CellFile[] = [];
  const skipped: string[] = [];
  for (const name of names.sort()) {
    const path = join(dir, name);
    const document = cellDocumentIn(await Deno.readTextFile(path).catch(() => ""));
    if (document) cells.push({ path, document });
    else skipped.push(path);
  }
  return { cells, skipped };
}

/** The cell document a text is, or holds as one of its lines; null if none. */
function cellDocumentIn(text: string): CellDocument | null {
  const isCell = (d: unknown) =>
    (d as CellDocument)?.schema === CELL_SCHEMA && (d as CellDocument).version === 1;
  for (const candidate of [text, ...text.split("\n").filter((l) => l.startsWith("{"))]) {
    try {
      const document = JSON.parse(candidate);
      if (isCell(document)) return document;
    } catch { /* not this one */ }
  }
  return null;
}

/**
 * Merges the cells of one exploration into its document.
 *
 * @param cells The cell files.
 * @param options The `--pass-rate` to judge by (default: the cells' own).
 * @returns The exploration document, as a local run of the same plan makes it.
 * @throws {UsageError} If there are no cells, cells of different explorations (plans), or one cell
 *   twice, naming the files.
 *
 * @example
 * ```ts
 * import { mergeCells } from "./merge.ts";
 * import assert from "node:assert/strict";
 *
 * const plan = { scenario: "s", set: {}, sweep: [], repeat: 2, seed: 1, sameSeed: false };
 * const cell = (index: number) => ({ path: `${index}.json`, document: {
 *   schema: "wedge.cell" as const, version: 1 as const, plan, requiredPassRate: null,
 *   result: { cell: { index, set: {}, seed: 1 + index }, exitCode: 0, report: null, stderrTail: "", wallMs: 1, stoppedBy: null },
 * } });
 * assert.equal(mergeCells([cell(1), cell(0)]).summary.passed, 2);
 * assert.throws(() => mergeCells([cell(0), cell(0)]), /cell 0 is in both 0.json and 0.json/);
 * ```
 */
export function mergeCells(
  cells: readonly CellFile[],
  options: { requiredPassRate?: number | null } = {},
): ExploreDocument {
  if (cells.length === 0) {
    throw new UsageError("merge: no cell documents (JSON written by --cell I --json PATH) found");
  }
  const first = cells[0];
  const plan = JSON.stringify(first.document.plan);
  const seen = new Map<number, string>();
  for (const { path, document } of cells) {
    if (JSON.stringify(document.plan) !== plan) {
      throw new UsageError(
        `merge: ${path} is a cell of another exploration than ${first.path} (scenario, --set, --sweep, --repeat or --seed differ): merge one exploration at a time`,
      );
    }
    const index = document.result.cell.index;
    if (seen.has(index)) {
      throw new UsageError(`merge: cell ${index} is in both ${seen.get(index)} and ${path}`);
    }
    seen.set(index, path);
  }
  const requiredPassRate = options.requiredPassRate !== undefined
    ? options.requiredPassRate
    : first.document.requiredPassRate;
  return exploreDocument(first.document.plan, cells.map((c) => c.document.result), {
    requiredPassRate,
  });
}
