// A command client speaking HTTP/2 from another runtime (node:http2, tests/fixtures/
// h2_leaking_client.mjs) against wedge's HTTP/2 servers: seed 004's stream pile-up seen from the
// servers (streams per connection matched by the client's port), and the same client cancelling
// its timed-out streams. Every test checks by PID that no client process it started survives.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  defineScenario,
  hang,
  noStallLongerThan,
  openStreamsBelow,
  runScenario,
} from "../../mod.ts";
import type { RunReport } from "../../report/types.ts";
import { renderTextReport } from "../../report/text.ts";
import { assertClientsReaped } from "../_process.ts";

const CLIENT = fileURLToPath(new URL("../fixtures/h2_leaking_client.mjs", import.meta.url));

/** One HTTP/2 server that never answers every 10th request, and the node client with `flags`. */
async function run(flags: string[]): Promise<{ report: RunReport; caLeft: boolean }> {
  const logDir = await Deno.makeTempDir({ prefix: "wedge-test-h2-clients-" });
  try {
    const report = await runScenario(
      defineScenario({
        name: "h2-client",
        description: "a node HTTP/2 client whose timeouts may not cancel",
        timeLimit: "30s",
        servers: [{ name: "h2", protocol: "h2", behavior: hang({ every: 10 }) }],
        clients: [{
          name: "node",
          command: ["node", CLIENT, "{url}", "{ca_file}", "--timeout", "200", ...flags],
        }],
        assert: [noStallLongerThan("2s"), openStreamsBelow(200, { of: "node" })],
      }),
      { logDir },
    );
    const caLeft = await Deno.stat(`${logDir}/ca.pem`).then(() => true, () => false);
    return { report, caLeft };
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
}

const assertReaped = assertClientsReaped;

function verdict(report: RunReport, name: string) {
  return report.assertions.find((a) => a.name === name)!;
}

Deno.test("a node HTTP/2 client leaking streams on timeouts is caught with every slot held (seed 004)", async () => {
  const { report, caLeft } = await run(["--requests", "20000", "--concurrency", "32"]);
  assertReaped(report);
  assert.equal(caLeft, false, "the CA file is removed after the run");
  const text = renderTextReport(report);
  assert.equal(report.outcome, "stalled", text);
  const stall = report.commandClients!.stall!;
  const silentMs = stall.atMs - stall.lastRequestAtMs;
  assert.ok(silentMs >= 2000 && silentMs < 3000, `caught after ${silentMs}ms of silence`);
  assert.match(
    stall.hints[0],
    /^every stream slot of connection :\d+ is held \(200 of 200 open, oldest \d+\.\d s\): `max_concurrent_streams` is exhausted.*seed 004/,
  );
  const held = stall.processes[0].connections.find((c) => c.streams?.open === 200);
  assert.ok(held, text);
  assert.equal(held.streams!.limit, 200);
  const streams = verdict(report, "openStreamsBelow");
  assert.equal(streams.pass, false, text);
  assert.equal(streams.measured, "peak 200 on one connection of node[0]");
  assert.match(text, /HTTP\/2 streams 200 of 200 open/);
});

Deno.test("the same client cancelling its timed-out streams completes, streams below 200", async () => {
  const { report, caLeft } = await run(["--requests", "3000", "--concurrency", "32", "--cancel"]);
  assertReaped(report);
  assert.equal(caLeft, false);
  const text = renderTextReport(report);
  assert.equal(report.outcome, "completed", text);
  assert.equal(report.commandClients!.received, 3000);
  assert.equal(report.commandClients!.answered, 2700);
  for (const name of ["noStallLongerThan", "openStreamsBelow", "clientProcessesSucceed"]) {
    assert.equal(verdict(report, name).pass, true, `${name}\n${text}`);
  }
  const peak = report.commandClients!.processes[0].peakStreamsOnOneConnection!;
  assert.ok(peak > 0 && peak < 200, `peak ${peak}`);
  assert.match(report.commandClients!.processes[0].stdoutTail, /2700 answered, 300 timed out/);
});
