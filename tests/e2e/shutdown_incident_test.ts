// Incidents at shutdown: a server host that cannot stop in time is killed, and the report says
// so; nothing is left running.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { runScenario } from "../../mod.ts";
import stuckHostHandler from "../fixtures/stuck_host_handler.ts";
import { alive } from "../_process.ts";

const STUCK_HOST_HANDLER = fileURLToPath(
  new URL("../fixtures/stuck_host_handler.ts", import.meta.url),
);

Deno.test("a server host whose handler blocks its event loop is killed at shutdown, as an incident", async () => {
  const logDir = await Deno.makeTempDir({ prefix: "wedge-test-logs-" });
  try {
    const t0 = performance.now();
    const report = await runScenario(stuckHostHandler, {
      file: STUCK_HOST_HANDLER,
      logDir,
      set: { blockMs: 20_000 },
    });
    const elapsed = performance.now() - t0;
    // The request timed out at 300 ms; stopping waited 2 s for the host, 2 s more, then killed it.
    assert.equal(report.outcome, "completed");
    assert.deepEqual(report.errors.map((e) => [e.class, e.count]), [["timeout", 1]]);
    assert.ok(
      report.incidents.some((i) =>
        /did not shut down in time: .*the server host of blocker.* \(killed\)/.test(i)
      ),
      JSON.stringify(report.incidents),
    );
    // On the load's clock, after the load (which ended with the timed-out request), for a marker.
    const mark = report.incidentMarks!.find((m) => /did not shut down in time/.test(m.text))!;
    assert.equal(mark.kind, "did-not-stop");
    assert.ok(mark.atMs! >= report.durationMs, JSON.stringify([mark, report.durationMs]));
    assert.ok(elapsed >= 2000, `stopped after ${elapsed}ms: the host was not given its 2 s`);
    assert.ok(elapsed < 18_000, `stopped after ${elapsed}ms: it waited for the handler's 20 s`);
    const host = report.serverProcesses[0];
    assert.ok(!alive(host.pid), `the host (pid ${host.pid}) is still there`);
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
});

Deno.test("a host that is not blocked stops without an incident", async () => {
  const logDir = await Deno.makeTempDir({ prefix: "wedge-test-logs-" });
  try {
    const report = await runScenario(stuckHostHandler, {
      file: STUCK_HOST_HANDLER,
      logDir,
      set: { blockMs: 0 },
    });
    assert.equal(report.totals.ok, 1);
    assert.deepEqual(report.incidents, []);
    assert.ok(!alive(report.serverProcesses[0].pid));
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
});
