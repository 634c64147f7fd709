import assert from "node:assert/strict";
import { join } from "node:path";
import { LatencyHistogram } from "../../report/latency_histogram.ts";
import type { RunReport } from "../../report/types.ts";
import type { ExplorePlan } from "../../explore/cells.ts";
import { type CellDocument, exploreDocument } from "../../explore/document.ts";
import { mergeCells, readCellFiles } from "../../explore/merge.ts";
import type { CellResult } from "../../explore/run_cell.ts";
import { mergedP99 } from "../../explore/summary.ts";
import { UsageError } from "../../scenario/errors.ts";
import { reportFixture } from "../_report_fixture.ts";

const plan: ExplorePlan = {
  scenario: "hang-mre-ok",
  set: {},
  sweep: [{ key: "nclients", values: ["5", "10"] }],
  repeat: 2,
  seed: 1,
  sameSeed: false,
};

/** A run whose latencies are `ms`, recorded in its report's histogram. */
function result(index: number, ms: number[], overrides: Partial<RunReport> = {}): CellResult {
  const h = new LatencyHistogram();
  for (const v of ms) h.recordMs(v);
  const report = reportFixture({
    latency: { ...reportFixture().latency, ...h.summary() },
    latencyHistogram: h.encode(),
    ...overrides,
  });
  const cell = { index, set: { nclients: index < 2 ? "5" : "10" }, seed: 1 + (index % 2) };
  return {
    cell,
    exitCode: report.passed ? 0 : 1,
    report,
    stderrTail: "",
    wallMs: 10,
    stoppedBy: null,
  };
}

function cellFile(r: CellResult, path = `cell-${r.cell.index}.json`) {
  const document: CellDocument = {
    schema: "wedge.cell",
    version: 1,
    plan,
    requiredPassRate: null,
    result: r,
  };
  return { path, document };
}

Deno.test("mergedP99: adding the runs' histograms gives the p99 of all their requests, not a mean of p99s", () => {
  const fast = Array.from({ length: 990 }, (_, i) => 1 + i / 100); // 1-10.9 ms
  const slow = Array.from({ length: 10 }, () => 500);
  const a = result(0, fast);
  const b = result(1, slow);
  const all = new LatencyHistogram();
  for (const v of [...fast, ...slow]) all.recordMs(v);
  assert.equal(mergedP99([a, b]), all.percentileMs(99));
  const meanOfP99s = (a.report!.latency.percentiles.p99! + b.report!.latency.percentiles.p99!) / 2;
  assert.notEqual(mergedP99([a, b]), meanOfP99s);
});

Deno.test("mergedP99: unknown (null) when a run with responses carries no histogram, or none had any", () => {
  const a = result(0, [5, 6, 7]);
  const old = result(1, [5]);
  delete old.report!.latencyHistogram;
  assert.equal(mergedP99([a, old]), null);
  assert.equal(mergedP99([{ report: null }]), null);
});

Deno.test("mergeCells: the same document as the local run of the same results, whatever the file order", () => {
  const results = [result(0, [1, 2]), result(1, [3]), result(2, [40, 50]), result(3, [60])];
  const local = exploreDocument(plan, results, { requiredPassRate: null });
  const merged = mergeCells([...results].reverse().map((r) => cellFile(r)));
  assert.deepEqual(merged, local);
  assert.deepEqual(merged.rows.map((r) => [r.point.nclients, r.runs, r.passed]), [["5", 2, 2], [
    "10",
    2,
    2,
  ]]);
  assert.equal(merged.rows[1].p99Ms, mergedP99([results[2], results[3]]));
});

Deno.test("mergeCells: a missing cell is listed and fails the summary unless a pass rate is met", () => {
  const present = [result(0, [1]), result(1, [1]), result(3, [1])].map((r) => cellFile(r));
  const merged = mergeCells(present);
  assert.deepEqual(merged.summary.missing, [2]);
  assert.equal(merged.summary.ok, false);
  assert.equal(mergeCells(present, { requiredPassRate: 0.5 }).summary.ok, true);
});

Deno.test("mergeCells: refuses no cells, one cell twice, and cells of another exploration", () => {
  assert.throws(() => mergeCells([]), UsageError);
  const a = cellFile(result(0, [1]), "a.json");
  const twice = cellFile(result(0, [1]), "b.json");
  assert.throws(() => mergeCells([a, twice]), /cell 0 is in both a\.json and b\.json/);
  const other = cellFile(result(1, [1]), "c.json");
  other.document = { ...other.document, plan: { ...plan, seed: 2 } };
  assert.throws(
    () => mergeCells([a, other]),
    /c\.json is a cell of another exploration than a\.json/,
  );
});

Deno.test("readCellFiles: cell documents and pod logs holding one as a line; other files skipped", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const a = cellFile(result(0, [1])).document;
    const b = cellFile(result(1, [2])).document;
    await Deno.writeTextFile(join(dir, "cell-0.json"), JSON.stringify(a, null, 2));
    await Deno.writeTextFile(
      join(dir, "pod-1.log"),
      `wedge: starting\n${JSON.stringify(b)}\nrun 2/4 ...\n`,
    );
    await Deno.writeTextFile(join(dir, "report.json"), JSON.stringify(reportFixture()));
    await Deno.writeTextFile(join(dir, "notes.txt"), "not read");
    const { cells, skipped } = await readCellFiles(dir);
    assert.deepEqual(cells.map((c) => c.document.result.cell.index), [0, 1]);
    assert.deepEqual(skipped, [join(dir, "report.json")]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
