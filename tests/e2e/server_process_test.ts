// Server processes: wedge's own servers in a server host process, the user's own server as a
// command, memory verdicts on both, early exits and reaping. Every test checks by PID that no
// process it started survives.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { runScenario, UsageError } from "../../mod.ts";
import { CommandServerError } from "../../servers/command_server.ts";
import warpLeak from "../../scenarios/warp_leak.ts";
import ownServer from "../fixtures/own_server.ts";
import isolatedHandler from "../fixtures/isolated_handler.ts";
import { runCli } from "../_cli.ts";
import { alive, descendsFrom } from "../_process.ts";

const OWN_SERVER = fileURLToPath(new URL("../fixtures/own_server.ts", import.meta.url));
const ISOLATED_HANDLER = fileURLToPath(new URL("../fixtures/isolated_handler.ts", import.meta.url));

async function tempLogs(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "wedge-test-logs-" });
}

/** Waits (at most 10 s) for the tiny_server a child process started, and returns its pid. */
async function tinyServerOf(parent: number): Promise<number> {
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const pid = processesWith("tiny_server.ts --port").find((p) => p !== parent);
    if (pid !== undefined) return pid;
  }
  assert.fail("the user's server never started");
}

/**
 * Waits until process `pid` holds an ESTABLISHED TCP connection (the load reached it), read from
 * its own namespace's /proc/PID/net/tcp{,6} and its fds; fails after 20 s.
 */
async function waitForConnection(pid: number): Promise<void> {
  for (const deadline = performance.now() + 20_000; performance.now() < deadline;) {
    try {
      const inodes = new Set<string>();
      for (const fd of Deno.readDirSync(`/proc/${pid}/fd`)) {
        try {
          const link = Deno.readLinkSync(`/proc/${pid}/fd/${fd.name}`);
          const match = /^socket:\[(\d+)\]$/.exec(link);
          if (match) inodes.add(match[1]);
        } catch { /* closed meanwhile */ }
      }
      const lines = ["tcp", "tcp6"].flatMap((f) =>
        Deno.readTextFileSync(`/proc/${pid}/net/${f}`).split("\n")
      );
      const established = lines.map((line) => line.trim().split(/\s+/))
        .some((fields) => fields[3] === "01" && inodes.has(fields[9]));
      if (established) return;
    } catch {
      assert.fail(`process ${pid} is gone before any connection reached it`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`no connection reached process ${pid} within 20s`);
}

/** Processes whose command line contains `needle` (other than this one). */
function readStat(pid: number): string {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/stat`);
  } catch {
    return "";
  }
}

function processesWith(needle: string): number[] {
  const found: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name) || Number(entry.name) === Deno.pid) continue;
    try {
      const cmdline = Deno.readTextFileSync(`/proc/${entry.name}/cmdline`).replaceAll("\0", " ");
      if (cmdline.includes(needle)) found.push(Number(entry.name));
    } catch { /* gone meanwhile */ }
  }
  return found;
}

// Small, fast loads: 2 warm-up and 3 measured loads of 300 ms. Such short loads end before a
// Deno server's heap has stopped growing (a clean server once grew +1.95, +1.61, +0.5 MiB in a
// row here), so the bound is 8 MiB rather than the scenario's 2 MiB; the leak below adds
// ~16 KiB per request, over 100 MiB per load.
const SMALL = {
  tries: 3,
  warmup: 2,
  duration: "300ms",
  settle: "200ms",
  workers: 20,
  bound: "8MiB",
};

Deno.test("warp-leak: a clean Deno server passes, measured in its own process", async () => {
  const logDir = await tempLogs();
  const report = await runScenario(warpLeak, { set: SMALL, logDir });
  const verdict = report.assertions.find((a) => a.name === "rssDeltaBelow")!;
  assert.equal(verdict.pass, true, verdict.detail ?? "");
  assert.match(verdict.measured, /flat|plateau/);
  assert.equal(report.servers[0].placement, "host");
  const host = report.serverProcesses[0];
  assert.equal(host.role, "server-host");
  assert.equal(host.exit?.early, false);
  assert.ok(!alive(host.pid), `server host ${host.pid} survived the run`);
  // Baseline after the warm-up, then one reading per iteration; requests grow each time.
  const memory = report.memory!;
  assert.deepEqual(memory.checkpoints.map((c) => c.round), [0, 1, 2, 3, 4, 5]);
  assert.ok(
    memory.checkpoints.every((c, i) =>
      i === 0 || c.completed > memory.checkpoints[i - 1].completed
    ),
  );
  assert.equal(report.totals.completed, memory.checkpoints.at(-1)!.completed);
  assert.ok(memory.timeline.length >= 8, `${memory.timeline.length} samples`);
  await Deno.remove(logDir, { recursive: true });
});

Deno.test("warp-leak: a server that keeps 16 KiB per request fails as a leak", async () => {
  const logDir = await tempLogs();
  const report = await runScenario(warpLeak, { set: { ...SMALL, leakBytes: 16384 }, logDir });
  assert.equal(report.passed, false);
  const verdict = report.assertions.find((a) => a.name === "rssDeltaBelow")!;
  assert.equal(verdict.pass, false);
  assert.match(verdict.measured, /growing/);
  assert.match(verdict.detail!, /Still growing in iterations 2-3/);
  // The slope names the leak's size: 16 KiB plus the allocations that hold it.
  const slope = Number(/slope \+([\d.]+)KiB per request/.exec(verdict.detail!)?.[1]);
  assert.ok(slope >= 15 && slope <= 24, verdict.detail ?? "");
  assert.ok(!alive(report.serverProcesses[0].pid));
  await Deno.remove(logDir, { recursive: true });
});

Deno.test("the user's own server is started, loaded, measured, logged and reaped", async () => {
  const logDir = await tempLogs();
  const report = await runScenario(ownServer, { file: OWN_SERVER, logDir });
  assert.equal(report.passed, true, JSON.stringify(report.assertions));
  assert.equal(report.totals.ok, 300);
  assert.equal(report.servers[0].placement, "command");
  const app = report.serverProcesses[0];
  assert.equal(app.name, "app[0]");
  assert.equal(app.role, "command");
  assert.match(app.command, /tiny_server\.ts --port \d+$/);
  assert.equal(app.exit?.early, false);
  assert.match(await Deno.readTextFile(app.stdoutLog), /listening on http:\/\/127\.0\.0\.1:\d+/);
  assert.match(await Deno.readTextFile(app.stderrLog), /tiny_server: starting/);
  const i = report.memory!.processes.findIndex((p) => p.name === "app[0]");
  assert.equal(report.memory!.processes[i].role, "command");
  assert.ok(report.memory!.timeline.some((s) => (s.rssBytes[i] ?? 0) > 10 * 1024 * 1024));
  assert.ok(!alive(app.pid), `app[0] (pid ${app.pid}) survived the run`);
  await Deno.remove(logDir, { recursive: true });
});

Deno.test("a leak in the user's own server is caught by rssDeltaBelow of its fleet", async () => {
  const logDir = await tempLogs();
  const report = await runScenario(ownServer, { set: { mode: "leak" }, file: OWN_SERVER, logDir });
  const verdict = report.assertions.find((a) => a.name === "rssDeltaBelow")!;
  assert.equal(verdict.pass, false, verdict.detail ?? "");
  assert.match(verdict.detail!, /^app memory went from/);
  assert.match(verdict.measured, /growing/);
  assert.ok(!alive(report.serverProcesses[0].pid));
  await Deno.remove(logDir, { recursive: true });
});

Deno.test("a server process that exits early fails the run with its exit code and stderr", async () => {
  const logDir = await tempLogs();
  const started = performance.now();
  const report = await runScenario(ownServer, { set: { mode: "exit" }, file: OWN_SERVER, logDir });
  assert.equal(report.outcome, "server-exited");
  // The load stops as the exit is seen (it comes 700 ms after the server starts, so before or
  // while the workers start on a loaded machine), never after the clients' 30 s.
  const app0 = report.serverProcesses[0];
  assert.ok(
    report.durationMs <= Math.max(0, app0.exit!.atMs) + 3000,
    `load ran ${report.durationMs}ms; exit at ${app0.exit!.atMs}ms`,
  );
  assert.ok(performance.now() - started < 20_000, "the run stops when its server is gone");
  assert.equal(report.passed, false);
  const up = report.assertions.find((a) => a.name === "serverProcessesStayUp")!;
  assert.equal(up.pass, false);
  assert.match(up.measured, /app\[0\] exited with code 3/);
  assert.match(up.detail!, /tiny_server: fatal: giving up after 700ms/);
  const app = report.serverProcesses[0];
  assert.equal(app.exit?.code, 3);
  assert.equal(app.exit?.early, true);
  assert.ok(!alive(app.pid));
  await Deno.remove(logDir, { recursive: true });
});

Deno.test("a server that is never ready fails to start, says what it waited for, and is reaped", async () => {
  const logDir = await tempLogs();
  await assert.rejects(
    () => runScenario(ownServer, { set: { mode: "never-ready" }, file: OWN_SERVER, logDir }),
    (error: unknown) => {
      assert.ok(error instanceof CommandServerError);
      assert.match(error.message, /app\[0\] was not ready within 1(\.0+)?s/);
      assert.match(error.message, /listening on/); // the pattern it waited for
      assert.match(error.stderrTail, /tiny_server: not listening/);
      return true;
    },
  );
  assert.deepEqual(processesWith("--never-listen"), []);
  await Deno.remove(logDir, { recursive: true });
});

Deno.test("a handler in an isolated fleet runs in the server host, rebuilt from the file", async () => {
  const logDir = await tempLogs();
  const report = await runScenario(isolatedHandler, { file: ISOLATED_HANDLER, logDir });
  assert.equal(report.passed, true, JSON.stringify(report.assertions));
  assert.equal(report.servers[0].placement, "host");
  assert.equal(report.servers[0].received, 50); // counted in the host, mirrored here
  assert.ok(!alive(report.serverProcesses[0].pid));
  // Without the file, the host could not load the handler: say so before anything starts.
  await assert.rejects(() => runScenario(isolatedHandler, { logDir }), UsageError);
  // The host resolves the scenario with the --set values as given (a transformed param too).
  const teapot = await runScenario(isolatedHandler, {
    file: ISOLATED_HANDLER,
    logDir,
    set: { status: "418" },
  });
  assert.deepEqual(teapot.statusCodes, { "418": 50 });
  await Deno.remove(logDir, { recursive: true });
});

Deno.test("a server host is stopped in time even when its handler started a process", async () => {
  const logDir = await tempLogs();
  const sleepPidFile = `${logDir}/sleep.pid`;
  const started = performance.now();
  const report = await runScenario(isolatedHandler, {
    file: ISOLATED_HANDLER,
    logDir,
    set: { spawnSleep: true, sleepPidFile },
  });
  assert.ok(performance.now() - started < 8000, `${performance.now() - started}ms`);
  assert.equal(report.passed, true, JSON.stringify([report.assertions, report.incidents]));
  assert.deepEqual(report.incidents, []);
  // The sleep was in the host's process group, and went with it (checked by its pid: another
  // test's `sleep 30` may be on the machine too).
  const sleepPid = Number(await Deno.readTextFile(sleepPidFile));
  // Killed is enough: the orphan's zombie waits for PID 1, which some containers never reap.
  const runs = () => alive(sleepPid) && !/\) Z /.test(readStat(sleepPid));
  for (let i = 0; i < 30 && runs(); i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(runs(), false, `sleep ${sleepPid} still runs`);
  await Deno.remove(logDir, { recursive: true });
});

Deno.test("aborting while a server starts stops it at once", async () => {
  const logDir = await tempLogs();
  const started = performance.now();
  await assert.rejects(
    () =>
      runScenario(ownServer, {
        set: { mode: "slow-ready" },
        file: OWN_SERVER,
        logDir,
        signal: AbortSignal.timeout(500),
      }),
    CommandServerError,
  );
  assert.ok(performance.now() - started < 5000, "the 20s ready timeout was not waited for");
  assert.deepEqual(processesWith("--never-listen"), []);
  await Deno.remove(logDir, { recursive: true });
});

for (const signal of ["SIGINT", "SIGHUP"] as const) {
  Deno.test(`CLI: ${signal} stops the run and reaps the user's server`, async () => {
    await interruptCli(signal);
  });
}

async function interruptCli(signal: Deno.Signal) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "cli/main.ts", OWN_SERVER, "--set", "mode=long", "--quiet"],
    cwd: fileURLToPath(new URL("../../", import.meta.url)),
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  // Wait until the server runs (its pid shows in /proc) and the load reaches it, then interrupt.
  const pid = await tinyServerOf(child.pid);
  await waitForConnection(pid);
  child.kill(signal);
  const output = await child.output();
  clearTimeout(killer);
  const stdout = new TextDecoder().decode(output.stdout);
  // Aborted: 128 + the signal's number, whatever the assertions said.
  assert.equal(output.code, signal === "SIGINT" ? 130 : 129, stdout);
  assert.match(stdout, /Outcome:\s+aborted/);
  assert.match(stdout, new RegExp(`Server process app\\[0\\] \\(pid ${pid}\\)`));
  assert.ok(!alive(pid!), `app[0] (pid ${pid}) survived the CLI`);
}

Deno.test("a program that gives no abort signal still reaps its servers on SIGINT", async () => {
  const logDir = await tempLogs();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "tests/fixtures/run_own_server.ts", logDir],
    cwd: fileURLToPath(new URL("../../", import.meta.url)),
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  const pid = await tinyServerOf(child.pid);
  await waitForConnection(pid);
  child.kill("SIGINT");
  const status = await child.status;
  clearTimeout(killer);
  await child.stdout.cancel();
  await child.stderr.cancel();
  assert.equal(status.signal, "SIGINT"); // it ended on the signal, after the run stopped
  assert.ok(!alive(pid), `app[0] (pid ${pid}) survived`);
  await Deno.remove(logDir, { recursive: true });
});

Deno.test("CLI: a terminal's Ctrl-C (SIGINT to the whole group) is not blamed on the server host", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "cli/main.ts", "warp-leak", "--quiet", "--set", "tries=50"],
    cwd: fileURLToPath(new URL("../../", import.meta.url)),
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
    detached: true, // a process group of its own, as a terminal's foreground job is
  }).spawn();
  const killer = setTimeout(() => Deno.kill(-child.pid, "SIGKILL"), 30_000);
  // Interrupt once the load reaches the server host (a Deno process running servers/host.ts).
  let host: number | undefined;
  for (const deadline = performance.now() + 20_000; host === undefined;) {
    assert.ok(performance.now() < deadline, "no server host process appeared under the CLI");
    await new Promise((r) => setTimeout(r, 50));
    host = processesWith("servers/host.ts").find((pid) => descendsFrom(pid, child.pid));
  }
  await waitForConnection(host);
  Deno.kill(-child.pid, "SIGINT");
  const output = await child.output();
  clearTimeout(killer);
  const stdout = new TextDecoder().decode(output.stdout);
  assert.match(stdout, /Outcome:\s+aborted/);
  assert.match(stdout, /PASS server processes stay up until the run stops them/);
  assert.doesNotMatch(stdout, /EXITED EARLY/);
});

Deno.test("CLI: warp-leak exits 0 clean and 1 with a leak", async () => {
  const set = Object.entries(SMALL).flatMap(([k, v]) => ["--set", `${k}=${v}`]);
  const clean = await runCli(["warp-leak", "--quiet", ...set]);
  assert.equal(clean.code, 0, clean.stdout + clean.stderr);
  assert.match(clean.stdout, /Memory \(VmRSS/);
  const leaky = await runCli(["warp-leak", "--quiet", ...set, "--set", "leakBytes=16384"]);
  assert.equal(leaky.code, 1, leaky.stdout + leaky.stderr);
  assert.match(leaky.stdout, /FAIL warp memory grows less than 8\.00MiB/);
  assert.match(leaky.stdout, /which is what a leak does/);
});
