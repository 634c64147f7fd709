// The command client stall watch judges each client process against the servers it targets: a
// client hanging with its connection open to fleet a is a stall even while another client keeps
// fleet b busy. Every load is bounded (requests and time) and every test checks by PID that no
// client process it started survives.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { defineScenario, hello, noStallLongerThan, runScenario } from "../../mod.ts";
import type { RunReport } from "../../report/types.ts";
import { renderTextReport } from "../../report/text.ts";
import { assertClientsReaped } from "../_process.ts";

const CLIENT = fileURLToPath(new URL("../fixtures/hanging_client.py", import.meta.url));

type Clients = Parameters<typeof defineScenario>[0]["clients"];

/** Runs hello fleets a and b (one server each) against `clients`, stall bound 2 s. */
async function run(clients: Clients): Promise<RunReport> {
  const logDir = await Deno.makeTempDir({ prefix: "wedge-test-per-target-" });
  try {
    return await runScenario(
      defineScenario({
        name: "per-target",
        description: "client fleets on separate server fleets",
        timeLimit: "20s",
        servers: [{ name: "a", behavior: hello() }, { name: "b", behavior: hello() }],
        clients,
        assert: [noStallLongerThan("2s")],
      }),
      { logDir },
    );
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
}

/** A Python client on fleet a that hangs after 5 requests, its connection open. */
const hanging = (extra: { duration?: string } = {}) => ({
  name: "py",
  target: "a",
  command: ["python3", CLIENT, "{url}", "--requests", "100", "--hang-after", "5"],
  ...extra,
});

/** A curl loop of `n` requests on `target`. */
const curlLoop = (name: string, target: string, n: number, extra: { duration?: string } = {}) => ({
  name,
  target,
  command: ["sh", "-c", `for i in $(seq 1 ${n}); do curl -s {url} >/dev/null; done`],
  ...extra,
});

/** Asserts the run stalled on py[0] and fleet a alone, within the bound plus a tick or so. */
function assertStalledOnPy(report: RunReport): void {
  const text = renderTextReport(report);
  assert.equal(report.outcome, "stalled", text);
  const stall = report.commandClients!.stall!;
  assert.deepEqual(stall.processes.map((p) => p.name), ["py[0]"], text);
  assert.deepEqual(stall.servers.map((s) => s.name), ["a[0]"], text);
  assert.equal(stall.servers[0].received, 5, text);
  const silentMs = stall.atMs - stall.lastRequestAtMs;
  assert.ok(silentMs >= 2000 && silentMs < 3000, `caught after ${silentMs}ms of silence`);
  // py's 5 requests take well under a second: its silence, not the run's, is what trips.
  assert.ok(stall.lastRequestAtMs < 3000, `py's last request at ${stall.lastRequestAtMs}ms`);
  const verdict = report.assertions.find((a) => a.name === "noStallLongerThan")!;
  assert.equal(verdict.pass, false, text);
  // Every sentence names py's targets, not "the servers" (another fleet may be busy).
  assert.match(verdict.measured, /^client stall: no new request at a\[0\] from /);
  assert.match(
    text,
    /CLIENT STALL at [\d.]+m?s: no new request reached a\[0\] since .* while py\[0\] ran/,
  );
  assert.match(report.outcomeDetail, /no new request reached a\[0\] for 2\.00s while py\[0\] held/);
}

Deno.test("a client hanging on fleet a stalls while a curl loop keeps fleet b busy", async () => {
  const report = await run([hanging(), curlLoop("curl", "b", 400)]);
  assertClientsReaped(report);
  assertStalledOnPy(report);
  // The curl loop was still sending when the stall was caught: b's progress is not py's.
  assert.ok(report.servers.find((s) => s.fleet === "b")!.received! > 5, renderTextReport(report));
});

Deno.test("with a 6 s duration on both client fleets the hanging client still stalls", async () => {
  const report = await run([
    hanging({ duration: "6s" }),
    curlLoop("curl", "b", 400, { duration: "6s" }),
  ]);
  assertClientsReaped(report);
  assertStalledOnPy(report);
});

Deno.test("a single client hanging on fleet a stalls as before", async () => {
  const report = await run([hanging()]);
  assertClientsReaped(report);
  assertStalledOnPy(report);
});

Deno.test("two healthy curl loops on fleets a and b complete without a stall", async () => {
  const n = 100;
  const report = await run([curlLoop("ca", "a", n), curlLoop("cb", "b", n)]);
  assertClientsReaped(report);
  const text = renderTextReport(report);
  assert.equal(report.outcome, "completed", text);
  assert.equal(report.passed, true, text);
  assert.equal(report.commandClients!.stall, null, text);
  assert.deepEqual(report.servers.map((s) => s.received), [n, n]);
});
