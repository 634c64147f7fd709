// The memory verdict on a subject in another runtime: a node:http command server
// (tests/fixtures/node_memory_server.mjs) that keeps nothing per request is never called a leak
// ("growing"); one that keeps 16 KiB per request is, with its slope. Each run: 1 warm-up and 5
// loads of 1 s, as warp-leak.
import assert from "node:assert/strict";
import { runScenario } from "../../mod.ts";
import nodeMemory from "../fixtures/node_memory_scenario.ts";

Deno.test("a clean node:http server is never judged a leak (flat, plateau or not sure)", async () => {
  const report = await runScenario(nodeMemory, { set: { keep: 0 }, seed: 1 });
  const verdict = report.assertions.find((a) => a.name === "rssDeltaBelow")!;
  assert.match(verdict.measured, /: (flat|plateau|undecided)$/, verdict.detail ?? "");
  assert.doesNotMatch(verdict.detail ?? "", /which is what a leak does/);
  assert.equal(report.memory?.checkpoints.length, 7);
});

Deno.test("a node:http server that keeps 16 KiB per request is growing, with its slope", async () => {
  const report = await runScenario(nodeMemory, { set: { keep: 16384 }, seed: 1 });
  const verdict = report.assertions.find((a) => a.name === "rssDeltaBelow")!;
  assert.equal(verdict.pass, false);
  assert.match(verdict.measured, /: growing$/, verdict.detail ?? "");
  assert.match(verdict.detail ?? "", /slope \+1[5-9]\.\dKiB per request/);
});
