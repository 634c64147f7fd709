// A stall diagnosed while a client worker posts nothing: what that worker's clients hold is
// unknown, so the diagnosis says n/a (null in JSON) for them, for the servers they send to and for
// the run's total, never the figure of the worker's last snapshot, and no hint reasons from them.
// The worker's thread is really frozen once its requests are out: ptrace stops that one thread
// (tests/fixtures/freeze_thread.py, bounded, killed by PID); the servers are node:http programs
// that read every request and never answer.
import assert from "node:assert/strict";
import { ROOT } from "../_cli.ts";
import { alive } from "../_process.ts";
import type { RunReport } from "../../report/types.ts";

const SCENARIO = "tests/fixtures/frozen_worker_scenario.ts";
const FREEZER = "tests/fixtures/freeze_thread.py";

/** Sockets the process holds open, or null once it has ended. */
function sockets(pid: number): number | null {
  try {
    let n = 0;
    for (const fd of Deno.readDirSync(`/proc/${pid}/fd`)) {
      try {
        if (Deno.readLinkSync(`/proc/${pid}/fd/${fd.name}`).startsWith("socket:")) n++;
      } catch { /* closed meanwhile */ }
    }
    return n;
  } catch {
    return null;
  }
}

/** Waits (at most `ms`) for the process to have a thread named `name`; its tid, or null. */
async function threadNamed(pid: number, name: string, ms: number): Promise<string | null> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    try {
      for (const t of Deno.readDirSync(`/proc/${pid}/task`)) {
        const comm = await Deno.readTextFile(`/proc/${pid}/task/${t.name}/comm`).catch(() => "");
        if (comm.trim() === name) return t.name;
      }
    } catch { /* the process ended */ }
    await new Promise((r) => setTimeout(r, 20));
  }
  return null;
}

/** Why this machine cannot freeze a sibling's thread (no python3, ptrace refused), or null. */
async function freezeUnavailable(): Promise<string | null> {
  const sleeper = new Deno.Command("sleep", { args: ["5"] }).spawn();
  try {
    const probe = await new Deno.Command("python3", {
      args: [FREEZER, String(sleeper.pid), "0"],
      cwd: ROOT,
    }).output();
    return probe.code === 0 ? null : new TextDecoder().decode(probe.stderr).trim();
  } catch (error) {
    return String(error);
  } finally {
    sleeper.kill("SIGKILL");
    await sleeper.status;
  }
}

const unavailable = await freezeUnavailable();

Deno.test({
  name: `a stall diagnosed while a worker is frozen says n/a for what that worker holds${
    unavailable ? ` (skipped: ${unavailable})` : ""
  }`,
  ignore: unavailable !== null,
  fn: frozenWorkerStall,
});

async function frozenWorkerStall() {
  const json = await Deno.makeTempFile({ suffix: ".json" });
  const run = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "cli/main.ts", SCENARIO, "--json", json],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).spawn();
  const output = run.output();
  let freezer: Deno.ChildProcess | null = null;
  try {
    // Deno names the Nth worker thread it starts `worker-N`: worker 0 (fleet "frozen") is first.
    const tid = await threadNamed(run.pid, "worker-1", 20_000);
    assert.ok(
      tid !== null && (await threadNamed(run.pid, "worker-2", 20_000)) !== null,
      "no threads named worker-1 and worker-2 (Deno names the Nth worker thread worker-N)",
    );
    // Freeze it as soon as every request is out: the load opens a connection per request (7),
    // after the workers have started.
    const before = sockets(run.pid) ?? 0;
    const deadline = performance.now() + 20_000;
    while ((sockets(run.pid) ?? Infinity) < before + 7 && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    freezer = new Deno.Command("python3", {
      args: [FREEZER, tid, "12"],
      cwd: ROOT,
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = freezer.stdout.pipeThrough(new TextDecoderStream()).getReader();
    assert.match((await reader.read()).value ?? "", /frozen/);
    reader.releaseLock();

    const { code, stdout, stderr } = await output;
    const text = new TextDecoder().decode(stdout);
    const report = JSON.parse(await Deno.readTextFile(json)) as RunReport;
    const stall = report.stall;
    assert.ok(stall, `no stall (exit ${code}): ${new TextDecoder().decode(stderr).slice(-500)}`);
    // The condition under test happened: worker 0, and only it, posted nothing at the stall.
    assert.deepEqual(stall.silentWorkers.map((w) => w.worker), [0], text);
    assert.equal(code, 1);
    assert.equal(stall.inFlight, null);
    assert.deepEqual(stall.clients, [
      { client: "posting[0]", inFlight: 3 },
      { client: "frozen[0]", inFlight: null },
    ]);
    assert.deepEqual(
      stall.servers.map((s) => [s.server, s.clientInFlight]).filter(([, n]) => n !== null),
      [["app1[0]", 3]],
    );
    assert.ok(
      !stall.hints.some((h) => /every request in flight|requests in flight wait on|app0/.test(h)),
      stall.hints.join("\n"),
    );
    assert.ok(stall.hints.some((h) => /^client worker 0 .* have in flight is unknown$/.test(h)));
    assert.match(text, /owed \(in flight or not yet sent\), n\/a in flight/);
    assert.match(text, /in flight by client: posting\[0\] 3, frozen\[0\] n\/a/);
  } finally {
    if (freezer) {
      if (alive(freezer.pid)) freezer.kill("SIGKILL");
      await freezer.status;
      await freezer.stdout.cancel().catch(() => {});
    }
    if (alive(run.pid)) run.kill("SIGKILL");
    await output.catch(() => {});
    await Deno.remove(json).catch(() => {});
  }
}
