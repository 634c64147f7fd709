// A stall diagnosed while a client worker posts nothing: what that worker's clients hold is
// unknown, so the diagnosis says n/a (null in JSON) for them, for the servers they send to and for
// the run's total, never the figure of the worker's last snapshot, and no hint reasons from them.
// The worker's thread is really frozen once its requests are out: ptrace stops that one thread
// (tests/fixtures/freeze_thread.py, bounded, killed by PID); the servers are node:http programs
// that read every request and never answer.
import assert from "node:assert/strict";
import { spawnCli } from "../_cli.ts";
import { alive } from "../_process.ts";
import { connectionsOpened, freeze, freezeUnavailable, threadNamed, unfreeze } from "../_freeze.ts";
import type { RunReport } from "../../report/types.ts";

const SCENARIO = "tests/fixtures/frozen_worker_scenario.ts";

const unavailable = await freezeUnavailable();

/** What a run with a frozen worker left: its exit code, its text report and its JSON report. */
interface FrozenRun {
  code: number;
  text: string;
  stderr: string;
  report: RunReport;
}

/**
 * Runs the frozen-worker scenario with `stallBound`, freezing worker 0's thread for
 * `freezeSeconds` as soon as every request is out; reaps the run and the freezer by PID.
 */
async function runFrozen(options: { stallBound: string; freezeSeconds: number }) {
  const json = await Deno.makeTempFile({ suffix: ".json" });
  const run = spawnCli([SCENARIO, "--json", json, "--set", `stallBound=${options.stallBound}`]);
  const output = run.output();
  let freezer: Deno.ChildProcess | null = null;
  try {
    // Deno names the Nth worker thread it starts `worker-N`: worker 0 (fleet "frozen") is first.
    const tid = await threadNamed(run.pid, "worker-1", 20_000);
    assert.ok(
      tid !== null && (await threadNamed(run.pid, "worker-2", 20_000)) !== null,
      "no threads named worker-1 and worker-2 (Deno names the Nth worker thread worker-N)",
    );
    // Freeze it once every request is out (the load opens a connection per request, 7) and
    // the worker has posted a snapshot with them (every 250 ms).
    assert.ok(
      await connectionsOpened(run.pid, 7, 20_000),
      "the 7 requests' connections never all opened",
    );
    await new Promise((r) => setTimeout(r, 600));
    freezer = await freeze(tid, options.freezeSeconds);

    const { code, stdout, stderr } = await output;
    const report = JSON.parse(await Deno.readTextFile(json)) as RunReport;
    const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    return { code, text: decode(stdout), stderr: decode(stderr), report } satisfies FrozenRun;
  } finally {
    if (freezer) await unfreeze(freezer);
    if (alive(run.pid)) run.kill("SIGKILL");
    await output.catch(() => {});
    await Deno.remove(json).catch(() => {});
  }
}

const skipped = unavailable ? ` (skipped: ${unavailable})` : "";

Deno.test({
  name: `a stall diagnosed while a worker is frozen says n/a for what that worker holds${skipped}`,
  ignore: unavailable !== null,
  async fn() {
    const { code, text, stderr, report } = await runFrozen({
      stallBound: "5s",
      freezeSeconds: 14,
    });
    const stall = report.stall;
    assert.ok(stall, `no stall (exit ${code}): ${stderr.slice(-500)}`);
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
  },
});

// With a bound of 8 s the stall must still be seen within about 2 s of the bound: the runtime's
// own housekeeping (the census's netlink socket, /proc reads) opens and closes fds while the run
// is idle, and is no evidence that the frozen worker's requests move. Before that was left out,
// an 8 s bound tripped 13.5-19.5 s after the freeze, or never.
Deno.test({
  name: `a stall with a frozen worker trips within its bound plus 2 s, 8 s bound${skipped}`,
  ignore: unavailable !== null,
  async fn() {
    const { code, text, stderr, report } = await runFrozen({
      stallBound: "8s",
      freezeSeconds: 16,
    });
    const stall = report.stall;
    assert.ok(stall, `no stall (exit ${code}): ${stderr.slice(-500)}`);
    assert.equal(code, 1);
    const [frozen, ...others] = stall.silentWorkers;
    assert.deepEqual([frozen?.worker, others], [0, []], text);
    // The worker froze at most one snapshot interval (250 ms) after its last post.
    assert.ok(
      frozen.silentForMs <= 8000 + 2000 + 250,
      `detected ${frozen.silentForMs} ms after worker 0's last post (bound 8 s)`,
    );
    // Its requests' ages are known only as of its last post, and say so.
    const stale = stall.oldest.filter((r) => r.client === "frozen[0]");
    assert.ok(stale.length > 0, JSON.stringify(stall.oldest));
    for (const r of stall.oldest) {
      assert.deepEqual(r.asOf?.worker ?? null, r.client === "frozen[0]" ? 0 : null);
    }
    assert.ok(stale.every((r) => stall.detectedAtMs - r.asOf!.atMs >= frozen.silentForMs - 1));
    assert.match(text, /frozen\[0\] -> app0\[0\]: .*\(as of worker 0's last post, [\d.]+m?s ago\)/);
    assert.doesNotMatch(text, /posting\[0\] -> app1\[0\]: .*as of/);
  },
});
