import assert from "node:assert/strict";
import { runLine } from "../../explore/run_line.ts";
import { reportFixture } from "../_report_fixture.ts";

Deno.test("a run whose only clients are the user's own shows what the servers answered a second, not 0", () => {
  const cell = { index: 0, set: {}, seed: 1 };
  const commandClients = { source: "", received: 400, answered: 400, processes: [], stall: null };
  const report = reportFixture({
    clients: [],
    commandClients,
    durationMs: 200,
    requestsPerSecond: 0,
  });
  const line = (r: typeof report) =>
    runLine({ cell, exitCode: 0, report: r, stderrTail: "", wallMs: 1, stoppedBy: null });
  assert.equal(line(report).requestsPerSecond, 2000);
  // A target wedge cannot count in: unknown.
  const blind = {
    ...report,
    commandClients: { ...commandClients, received: null, answered: null },
  };
  assert.equal(line(blind).requestsPerSecond, null);
  // wedge's own clients: their figure.
  assert.equal(line(reportFixture()).requestsPerSecond, reportFixture().requestsPerSecond);
});
