// Exit codes and signals of the CLI, through a real subprocess in a process group of its own
// (as a terminal's foreground job), against a node:http server started as a command fleet.
import assert from "node:assert/strict";
import { ROOT } from "../_cli.ts";

const SCENARIO = "tests/fixtures/cli_node_scenario.ts";

/** A CLI run in a new session and process group, whose output is read as it comes. */
interface GroupRun {
  /** Resolves once stdout or stderr matches `pattern` (rejects after `ms`). */
  waitForOutput(pattern: RegExp, ms?: number): Promise<void>;
  /** Sends `signal` to the whole group, as a terminal does. */
  signalGroup(signal: Deno.Signal): void;
  /** Types on the terminal (`pty` runs only): "\x03" is Ctrl-C. */
  type(text: string): Promise<void>;
  /** How the run ended, with everything it printed (a pty run prints everything on stdout). */
  done: Promise<{ code: number; stdout: string; stderr: string; endedAtMs: number }>;
}

/**
 * Starts `command` in a process group of its own, as a terminal's foreground job; with `pty`,
 * under `script`, on a terminal of its own whose Ctrl-C goes to the foreground group as a user's
 * does.
 */
function startInGroup(command: string[], options: { pty?: boolean } = {}): GroupRun {
  const [program, ...args] = options.pty
    ? ["script", "-qfec", command.join(" "), "/dev/null"]
    : command;
  const child = new Deno.Command(program, {
    args,
    cwd: ROOT,
    detached: !options.pty, // a process group of its own (script makes a session of its own)
    env: { NO_COLOR: "1" },
    stdin: options.pty ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdin = options.pty ? child.stdin.getWriter() : null;
  let stdout = "";
  let stderr = "";
  const waiters = new Set<() => void>();
  const pump = async (stream: ReadableStream<Uint8Array>, onText: (t: string) => void) => {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      onText(text);
      for (const wake of waiters) wake();
    }
  };
  const reading = Promise.all([
    pump(child.stdout, (t) => (stdout += t)),
    pump(child.stderr, (t) => (stderr += t)),
  ]);
  const signalTree = (signal: Deno.Signal) => {
    try {
      Deno.kill(options.pty ? child.pid : -child.pid, signal);
    } catch { /* gone */ }
  };
  const killer = setTimeout(() => signalTree("SIGKILL"), 60_000); // a broken build must not hang
  return {
    waitForOutput(pattern, ms = 30_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`output never matched ${pattern} in ${ms}ms:\n${stdout}${stderr}`));
        }, ms);
        const check = () => {
          if (!pattern.test(stdout) && !pattern.test(stderr)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      });
    },
    signalGroup: signalTree,
    type: async (text) => await stdin!.write(new TextEncoder().encode(text)),
    done: (async () => {
      const status = await child.status;
      const endedAtMs = performance.now();
      await reading;
      clearTimeout(killer);
      await stdin?.close().catch(() => {});
      return { code: status.code, stdout, stderr, endedAtMs };
    })(),
  };
}

function wedge(...args: string[]): string[] {
  return [Deno.execPath(), "run", "--allow-all", "cli/main.ts", SCENARIO, ...args];
}

/** PIDs of the processes running tests/fixtures/cli_node_server.mjs (the fixture's subjects). */
function nodeServers(): number[] {
  const pids: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const cmdline = Deno.readTextFileSync(`/proc/${entry.name}/cmdline`);
      if (cmdline.includes("cli_node_server.mjs")) pids.push(Number(entry.name));
    } catch { /* gone */ }
  }
  return pids;
}

/** Waits until no fixture server is left (they are reaped by wedge, not by this test). */
async function assertNoServerLeft(ms = 15_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (nodeServers().length > 0) {
    if (performance.now() > deadline) {
      const left = nodeServers();
      for (const pid of left) Deno.kill(pid, "SIGKILL");
      assert.fail(`server processes left running: ${left.join(", ")}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits for the load to run (a response has completed), so a signal interrupts a real load. */
async function waitForLoad(run: GroupRun): Promise<void> {
  await run.waitForOutput(/wedge: load started/);
  await run.waitForOutput(/\] [1-9]\d* done/);
}

for (
  const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
    ["SIGHUP", 129],
    ["SIGQUIT", 131],
  ] as [Deno.Signal, number][]
) {
  Deno.test(`${signal} to the group during the load exits ${code} with the partial report, though every assertion held`, async () => {
    const dir = await Deno.makeTempDir();
    try {
      const json = `${dir}/report.json`;
      const run = startInGroup(wedge("--set", "mode=long", "--json", json));
      await waitForLoad(run);
      run.signalGroup(signal);
      const r = await run.done;
      assert.equal(r.code, code, r.stdout + r.stderr);
      assert.match(r.stdout, /PASS no connection errors/);
      assert.match(
        r.stdout,
        new RegExp(`ABORTED \\(stopped by ${signal}, exit ${code}\\): 2 assertions hold`),
      );
      assert.ok(!/PASSED/.test(r.stdout), "an aborted run is not PASSED");
      assert.match(r.stderr, new RegExp(`the run was aborted by ${signal}: exit ${code}`));
      const report = JSON.parse(await Deno.readTextFile(json));
      assert.equal(report.outcome, "aborted");
      assert.equal(report.passed, true, "the assertions held on the part that ran");
      assert.ok(report.totals.completed > 0);
      await assertNoServerLeft();
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("the same signal twice within 1 s (terminal and task runner) is one graceful stop", async () => {
  const run = startInGroup(wedge("--set", "mode=long"));
  await waitForLoad(run);
  run.signalGroup("SIGINT");
  // Apart enough to be two deliveries (back to back, the kernel may merge them into one).
  await new Promise((r) => setTimeout(r, 30));
  run.signalGroup("SIGINT");
  const r = await run.done;
  assert.equal(r.code, 130, r.stderr);
  assert.ok(!r.stderr.includes("server processes killed"), r.stderr);
  assert.match(r.stdout, /ABORTED \(stopped by SIGINT/);
  assert.match(r.stdout, /Server process node\[0\] \(pid \d+\)/);
  await assertNoServerLeft();
});

Deno.test("one Ctrl-C on a terminal under `deno task scenario` is one graceful stop with the report", async () => {
  // The terminal sends SIGINT to the foreground group and the task runner forwards its own: wedge
  // gets two at once.
  const run = startInGroup([Deno.execPath(), "task", "scenario", SCENARIO, "--set", "mode=long"], {
    pty: true,
  });
  await waitForLoad(run);
  await run.type("\x03");
  const r = await run.done;
  assert.equal(r.code, 130, r.stdout);
  assert.ok(!r.stdout.includes("server processes killed"), r.stdout);
  assert.match(r.stdout, /ABORTED \(stopped by SIGINT, exit 130\)/);
  assert.match(r.stdout, /the run was aborted by SIGINT: exit 130/);
  await assertNoServerLeft();
});

Deno.test("a second Ctrl-C, later, kills the server processes at once and exits 130 without a report", async () => {
  // The server ignores SIGTERM: a graceful stop would wait its 10 s stopTimeout.
  const run = startInGroup(wedge("--set", "mode=stubborn"));
  await waitForLoad(run);
  run.signalGroup("SIGTERM");
  await run.waitForOutput(/wedge: SIGTERM: stopping the run/);
  await new Promise((r) => setTimeout(r, 1200)); // past the duplicate window
  const secondAt = performance.now();
  run.signalGroup("SIGINT");
  const r = await run.done;
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /wedge: SIGINT after SIGTERM: server processes killed/);
  assert.ok(r.endedAtMs - secondAt < 5000, `exited ${r.endedAtMs - secondAt}ms after the second`);
  assert.ok(!r.stdout.includes("Assertions:"), "no report after a forced stop");
  await assertNoServerLeft(3000);
});

Deno.test("a signal while the servers start is an abort (143), not a run that could not be carried out (3)", async () => {
  const run = startInGroup(wedge("--set", "mode=never-ready"));
  await run.waitForOutput(/wedge: starting 1 servers/);
  // Wait until the server process exists, so the signal lands while wedge waits for it.
  const deadline = performance.now() + 20_000;
  while (nodeServers().length === 0 && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(nodeServers().length, 1, "the server started");
  run.signalGroup("SIGTERM");
  const r = await run.done;
  assert.equal(r.code, 143, r.stderr);
  assert.match(r.stderr, /the run was aborted by SIGTERM before its load started/);
  assert.ok(!r.stderr.includes("could not be carried out"), r.stderr);
  await assertNoServerLeft();
});

Deno.test("a node server that exits before it is ready: exit 3 naming the command and its stderr", async () => {
  const run = startInGroup(wedge("--set", "mode=exit-at-once", "--quiet"));
  const r = await run.done;
  assert.equal(r.code, 3, r.stderr);
  assert.match(
    r.stderr,
    /the run could not be carried out: node\[0\] exited with code 7 before it was ready \(command: node .*cli_node_server\.mjs --port \d+ --exit-at-once\)/,
  );
  assert.match(r.stderr, /cli_node_server: fatal: bad config/);
  assert.equal(r.stdout, "");
  await assertNoServerLeft();
});
