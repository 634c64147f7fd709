// A healthy scenario on a machine loaded by other processes does not end "stalled": while the
// starved client workers post nothing, progress is unknown, not zero (run/stall_evidence.ts).
// Node busy loops (5 on 2 cores; bounded to 40 s each, killed by PID) share the cores with a
// hang-mre-ok run of 50 clients x 128 in flight; its workers go silent for seconds while they open
// 6400 connections. Before the evidence rule the watchdog stopped this run at 5 s, "stalled from 0us".
import assert from "node:assert/strict";
import { runCli } from "../_cli.ts";
import { alive } from "../_process.ts";
import type { RunReport } from "../../report/types.ts";

/** Busy loops: 5 on 2 cores, as many per core on a bigger machine (the workers must starve). */
const HOGS = Math.max(5, Math.ceil(2.5 * navigator.hardwareConcurrency));
const HOG_MS = 40_000;

/** A node busy loop that ends by itself after `HOG_MS`. */
function startHog(): Deno.ChildProcess {
  return new Deno.Command("node", {
    args: ["-e", `const end = Date.now() + ${HOG_MS}; while (Date.now() < end) {}`],
    stdout: "null",
    stderr: "null",
  }).spawn();
}

Deno.test("a healthy run beside CPU hogs is not stopped as stalled while its workers are starved", async () => {
  const json = await Deno.makeTempFile({ suffix: ".json" });
  const hogs = Array.from({ length: HOGS }, startHog);
  try {
    const { code, stderr } = await runCli([
      "hang-mre-ok",
      ...["--set", "nrequests=8000", "--set", "nclients=50", "--set", "timeLimit=30s"],
      ...["--seed", "1", "--quiet", "--json", json],
    ], { timeoutMs: 50_000 });
    const report = JSON.parse(await Deno.readTextFile(json)) as RunReport;
    // The condition under test happened: a worker posted nothing for a second or more.
    const silent = report.timeline.filter((p) => p.inFlight === null).length;
    assert.ok(silent > 0, "no worker was starved: the hogs did not load this machine enough");
    assert.equal(
      report.outcome === "stalled",
      false,
      `stalled: ${report.stall?.hints.join("; ")} (exit ${code}, ${stderr.slice(-500)})`,
    );
    assert.equal(report.stall, null);
    assert.ok(
      (report.longestStallByProgress.completions?.durationMs ?? 0) < 5000,
      `longest pause ${report.longestStallByProgress.completions?.durationMs}ms`,
    );
  } finally {
    for (const hog of hogs) {
      if (alive(hog.pid)) hog.kill("SIGKILL");
      await hog.status;
    }
    await Deno.remove(json);
  }
});
