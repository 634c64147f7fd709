import assert from "node:assert/strict";
import { defineScenario, hello, rssDeltaBelow, runScenario } from "../../mod.ts";
import { renderTextReport } from "../../report.ts";
import { readRuntimeMemory } from "../../system/memory_sampler.ts";
import type { MemoryReport, RuntimeMemory } from "../../report/types.ts";
import { reportFixture } from "../_report_fixture.ts";

const MiB = 1024 * 1024;

function repeated(of: string) {
  return defineScenario({
    name: "runtime-memory",
    description: "repeated fetch loads, memory read after each",
    servers: [{ name: "web", behavior: hello() }],
    clients: [{ name: "load", count: 2, workers: 2, concurrency: 8, requests: 400 }],
    assert: [rssDeltaBelow("1GiB", { of, warmup: 1, iterations: 1, settle: "300ms" })],
  });
}

Deno.test("each checkpoint splits the runtime's RSS, with every client worker's heap", async () => {
  const report = await runScenario(repeated("runtime"));
  const memory = report.memory!;
  assert.deepEqual(memory.checkpoints.map((c) => c.round), [0, 1, 2]);
  assert.equal(memory.runtimeJudged, true);
  for (const c of memory.checkpoints.slice(1)) {
    const r = c.runtime!;
    assert.equal(r.workers, 2, "both workers reported their heaps");
    // A worker isolate that ran fetch load holds a few MiB of heap, far below 1 GiB each.
    assert.ok(
      r.workerHeapBytes! > 2 * MiB && r.workerHeapBytes! < 2048 * MiB,
      `${r.workerHeapBytes}`,
    );
    assert.ok(r.mainHeapBytes > MiB && r.mainHeapBytes < 1024 * MiB, `${r.mainHeapBytes}`);
    assert.ok(r.externalBytes! >= 0 && r.fileBytes! > MiB);
    // The parts and the rest add up to the RSS read at the same moment.
    const parts = r.fileBytes! + r.mainHeapBytes + r.workerHeapBytes! + r.externalBytes!;
    assert.equal(parts + r.otherBytes!, r.rssBytes);
    // The same RSS as the checkpoint's own runtime reading, within what a few ms can change.
    assert.ok(Math.abs(r.rssBytes - c.rssBytes[0]!) < 32 * MiB);
  }
  assert.match(renderTextReport(report), /runtime = wedge itself .*judged by an of: "runtime"/);
  // One peak RSS for the runtime in one report (the memory section's was the sampler's last).
  const runtime = memory.processes.find((p) => p.role === "runtime")!;
  assert.equal(runtime.peakRssBytes, report.process.peakRssBytes);
});

Deno.test("a verdict on the servers says the runtime's memory is wedge's own and not judged", async () => {
  const report = await runScenario(repeated("servers"));
  assert.equal(report.memory!.runtimeJudged, false);
  const text = renderTextReport(report);
  assert.match(
    text,
    /runtime = wedge itself \(its client engines\), not judged by the verdict: RSS \S+ at the baseline, \S+ now:\n {4}client worker heaps \S+ \(2\), main heap /,
  );
});

Deno.test("a worker that has not reported leaves its heap and the rest unknown, never 0", () => {
  const heap = { heapUsed: MiB, heapTotal: 4 * MiB, external: MiB };
  const split = readRuntimeMemory([heap, null])!;
  assert.equal(split.workers, 1);
  assert.equal(split.workerHeapBytes, 4 * MiB);
  assert.equal(split.externalBytes, null);
  assert.equal(split.otherBytes, null);
  const none = readRuntimeMemory([])!;
  assert.equal(none.workerHeapBytes, null);
  assert.equal(none.workers, 0);
});

Deno.test("the text shows unknown parts as n/a", () => {
  const runtime: RuntimeMemory = {
    rssBytes: 200 * MiB,
    fileBytes: 50 * MiB,
    mainHeapBytes: 30 * MiB,
    workerHeapBytes: null,
    workers: 0,
    externalBytes: null,
    otherBytes: null,
  };
  const memory: MemoryReport = {
    intervalMs: 250,
    processes: [{ name: "runtime", role: "runtime", pid: 1, fleet: null, peakRssBytes: null }],
    timeline: [],
    rounds: { warmup: 1, iterations: 1, settleMs: 1000 },
    checkpoints: [
      { round: 0, atMs: 0, completed: 0, rssBytes: [100 * MiB], runtime: null },
      { round: 1, atMs: 10, completed: 5, rssBytes: [200 * MiB], runtime },
    ],
    runtimeJudged: false,
  };
  const text = renderTextReport(reportFixture({ memory }));
  assert.match(text, /client worker heaps n\/a \(0\), main heap 30\.00MiB, ArrayBuffers n\/a/);
  assert.match(text, /other n\/a/);
});
