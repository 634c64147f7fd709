// Command client fleets: the user's own client, written in another runtime (Python's
// http.client, curl in a shell loop), watched from wedge's servers and the host. Every test
// checks by PID that no client process it started survives.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  defineScenario,
  hello,
  noStallLongerThan,
  type ProgressSample,
  rssDeltaBelow,
  runScenario,
} from "../../mod.ts";
import type { RunReport } from "../../report/types.ts";
import { renderTextReport } from "../../report/text.ts";
import { ROOT, runCli } from "../_cli.ts";
import { alive, assertClientsReaped, descendsFrom } from "../_process.ts";

const CLIENT = fileURLToPath(new URL("../fixtures/hanging_client.py", import.meta.url));

/** Runs two hello servers against `clients`, logging into a temporary directory. */
async function run(
  clients: Parameters<typeof defineScenario>[0]["clients"],
  assert: Parameters<typeof defineScenario>[0]["assert"] = [],
  onProgress?: (sample: ProgressSample) => void,
): Promise<RunReport> {
  const logDir = await Deno.makeTempDir({ prefix: "wedge-test-clients-" });
  try {
    return await runScenario(
      defineScenario({
        name: "own-client",
        description: "the user's own client",
        timeLimit: "20s",
        servers: [{ name: "hello", count: 2, behavior: hello() }],
        clients,
        assert,
      }),
      { logDir, onProgress },
    );
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
}

const assertReaped = assertClientsReaped;

Deno.test("a Python client that hangs after 20 requests is caught from the server side within the bound", async () => {
  const report = await run(
    [{
      name: "py",
      command: ["python3", CLIENT, "{url}", "--requests", "1000", "--hang-after", "20"],
    }],
    [noStallLongerThan("2s")],
  );
  assertReaped(report);
  assert.equal(report.outcome, "stalled");
  const stall = report.commandClients!.stall!;
  const silentMs = stall.atMs - stall.lastRequestAtMs;
  assert.ok(silentMs >= 2000 && silentMs < 3000, `caught after ${silentMs}ms of silence`);
  assert.equal(report.commandClients!.received, 20);
  assert.equal(report.commandClients!.answered, 20);
  assert.deepEqual(stall.processes.map((p) => p.name), ["py[0]"]);
  assert.ok(stall.processes[0].connections.some((c) => c.state === "ESTABLISHED"));
  assert.match(stall.hints[0], /py\[0\].*idle.*seed 000/s);
  const failed = report.assertions.filter((a) => !a.pass).map((a) => a.name).sort();
  assert.deepEqual(failed, ["clientProcessesSucceed", "noStallLongerThan"]);
  assert.match(renderTextReport(report), /CLIENT STALL/);
});

Deno.test("a Python client keeping 8 KiB per request fails rssDeltaBelow; one keeping none passes", async () => {
  const leaking = (keep: number) =>
    run(
      [{
        name: "py",
        command: [
          "python3",
          CLIENT,
          "{url}",
          "--requests",
          "600",
          "--keep-bytes",
          String(keep),
          "--delay-ms",
          "5",
        ],
      }],
      [rssDeltaBelow("1MiB", { of: "py", warmup: 2, iterations: 4 })],
    );
  const leak = await leaking(8192);
  assertReaped(leak);
  const verdict = leak.assertions.find((a) => a.name === "rssDeltaBelow")!;
  assert.equal(verdict.pass, false, renderTextReport(leak));
  assert.match(verdict.measured, /py\[0\] \+.*growing/, renderTextReport(leak));
  const healthy = await leaking(0);
  assertReaped(healthy);
  const fine = healthy.assertions.find((a) => a.name === "rssDeltaBelow")!;
  assert.equal(fine.pass, true, renderTextReport(healthy));
});

Deno.test("a Python client that exits 1 fails clientProcessesSucceed with its stderr", async () => {
  const report = await run([{
    name: "py",
    command: ["python3", CLIENT, "{url}", "--requests", "5", "--exit-code", "1"],
  }]);
  assertReaped(report);
  assert.equal(report.passed, false);
  const verdict = report.assertions.find((a) => a.name === "clientProcessesSucceed")!;
  assert.equal(verdict.pass, false);
  assert.match(verdict.detail!, /py\[0\] exited with code 1/);
  assert.match(verdict.detail!, /client failing on purpose after 5 requests/);
  assert.equal(report.commandClients!.processes[0].code, 1);
});

Deno.test("curl in a shell loop completes and the servers count exactly its requests", async () => {
  const n = 25;
  const samples: ProgressSample[] = [];
  const report = await run(
    [{
      name: "curl",
      count: 2,
      command: ["sh", "-c", `for i in $(seq ${n}); do curl -s {url} >/dev/null; done`],
    }],
    [],
    (sample) => samples.push(sample),
  );
  assertReaped(report);
  assert.equal(report.outcome, "completed");
  assert.equal(report.passed, true, renderTextReport(report));
  // {url} is round-robin: client 0 loads hello[0], client 1 hello[1].
  assert.deepEqual(report.servers.map((s) => s.received), [n, n]);
  assert.equal(report.commandClients!.received, 2 * n);
  assert.match(renderTextReport(report), /Latency: +n\/a/);
  // No wedge client ran: wedge's own rate is unknown in the JSON, not 0 req/s.
  assert.equal(JSON.parse(JSON.stringify(report)).requestsPerSecond, null);
  // The live line shows the servers' view, never a client count of 0 it does not have.
  const last = samples.at(-1)!;
  assert.equal(last.source, "servers");
  assert.equal(last.completed, 2 * n);
  assert.equal(last.errors, null);
});

Deno.test("hey-leak with hey itself catches a server that keeps 4 KiB per request", async () => {
  const set = ["--set", "requests=2000", "--set", "tries=3", "--set", "leakBytes=4096"];
  const { code, stdout } = await runCli(["hey-leak", ...set]);
  assert.equal(code, 1, stdout);
  assert.match(stdout, /FAIL warp memory grows less than 2\.00MiB.*growing/);
  assert.match(stdout, /PASS every client process completes \(exit code 0\): 4\/4 completed/);
  assert.match(stdout, /hey\[0\]#4 pid \d+/);
});

Deno.test("a client program that is not installed exits 3 naming what to install", async () => {
  const { code, stderr } = await runCli(["hey-leak"], { env: { PATH: "/nonexistent" } });
  assert.equal(code, 3, stderr);
  assert.match(stderr, /client fleet "hey" needs hey \(apt-get install hey\)/);
});

Deno.test("kill -9 of wedge leaves no client process running", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "cli/main.ts", "tests/fixtures/hanging_client_scenario.ts"],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "null",
    stderr: "null",
  }).spawn();
  const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  let python: number | undefined;
  for (let i = 0; i < 200 && python === undefined; i++) {
    await new Promise((r) => setTimeout(r, 100));
    // This wedge's client: another run's (a test beside this one) is not.
    python = pidsWith("hanging_client.py").find((pid) => descendsFrom(pid, child.pid));
  }
  assert.ok(python !== undefined, "the client never started");
  // By now it has sent its 5 requests and hangs with its connection open.
  await new Promise((r) => setTimeout(r, 1500));
  assert.ok(alive(python), "the client ended before wedge was killed");
  child.kill("SIGKILL");
  await child.status;
  clearTimeout(killer);
  // The supervisor notices its parent's death and kills the client's group.
  for (let i = 0; i < 50 && alive(python); i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(alive(python), false, `client ${python} survived kill -9 of wedge`);
});

/** Pids whose command line contains `needle`. */
function pidsWith(needle: string): number[] {
  const found: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name) || Number(entry.name) === Deno.pid) continue;
    try {
      const cmdline = Deno.readTextFileSync(`/proc/${entry.name}/cmdline`).replaceAll("\0", " ");
      const comm = Deno.readTextFileSync(`/proc/${entry.name}/comm`);
      if (cmdline.includes(needle) && comm.startsWith("python")) found.push(Number(entry.name));
    } catch { /* gone meanwhile */ }
  }
  return found;
}
