// Nothing left running, however wedge ends; server processes' start-up edge cases. Subjects are
// node:http servers (tests/fixtures/node_server.mjs) and python; every process is checked by PID
// (and by process group: anything still running in it, zombies aside).
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { runScenario } from "../../mod.ts";
import { CommandServerError, startCommandServer } from "../../servers/command_server.ts";
import { describeBehavior } from "../../scenario/describe_behavior.ts";
import { groupGuard, supervisedArgv, supervisorAvailable } from "../../system/supervisor.ts";
import nodeServers from "../fixtures/node_servers.ts";
import { ROOT } from "../_cli.ts";

const NODE_SERVERS = fileURLToPath(new URL("../fixtures/node_servers.ts", import.meta.url));
const HOST_CHILD = fileURLToPath(new URL("../fixtures/host_child.ts", import.meta.url));
const linux = Deno.build.os === "linux";

/** `[state, ppid, pgrp]` of a pid from /proc, or null when there is no such process. */
function stat(pid: number): { state: string; ppid: number; pgrp: number } | null {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const [state, ppid, pgrp] = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { state, ppid: Number(ppid), pgrp: Number(pgrp) };
  } catch {
    return null;
  }
}

/** Processes (not zombies) whose process group is one of `groups`. */
function runningIn(groups: readonly number[]): number[] {
  const found: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const s = stat(Number(entry.name));
    if (s && s.state !== "Z" && groups.includes(s.pgrp)) found.push(Number(entry.name));
  }
  return found;
}

/** The supervisor's watcher of a process group, if one runs. */
function watcherOf(pgid: number): number | null {
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const cmdline = Deno.readTextFileSync(`/proc/${entry.name}/cmdline`);
      if (cmdline.endsWith(`\0wedge-supervisor\0${pgid}\0`)) return Number(entry.name);
    } catch {
      // Gone meanwhile.
    }
  }
  return null;
}

/** Waits for `condition` (every 25 ms), at most `ms`; returns its last value. */
async function waitFor<T>(condition: () => T, ms: number): Promise<T> {
  const deadline = performance.now() + ms;
  let value = condition();
  while (!value && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    value = condition();
  }
  return value;
}

/** Pid files written by the fixtures: `[pid, child pid]` each. */
function pidFiles(dir: string): [number, number][] {
  return [...Deno.readDirSync(dir)].map((e) =>
    Deno.readTextFileSync(`${dir}/${e.name}`).trim().split(" ").map(Number) as [number, number]
  );
}

/** Starts the CLI on a scenario, waits for `want` pid files, then SIGKILLs the CLI. */
async function killCliMidRun(file: string, set: string[], want: number) {
  const pidDir = await Deno.makeTempDir({ prefix: "wedge_pids_" });
  const cli = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "cli/main.ts", file, "--quiet", "--set", `pidDir=${pidDir}`]
      .concat(set.flatMap((s) => ["--set", s])),
    cwd: ROOT,
    stdout: "null",
    stderr: "null",
  }).spawn();
  const safety = setTimeout(() => cli.kill("SIGKILL"), 40_000);
  try {
    const up = await waitFor(() => pidFiles(pidDir).length >= want, 30_000);
    assert.ok(up, `the servers did not start: ${JSON.stringify(pidFiles(pidDir))}`);
    const pids = pidFiles(pidDir);
    for (const [pid, child] of pids) {
      assert.notEqual(stat(pid), null);
      if (child) assert.equal(stat(child)?.pgrp, pid, "the child is in the server's group");
    }
    cli.kill("SIGKILL");
    assert.equal((await cli.status).signal, "SIGKILL");
    return pids;
  } finally {
    clearTimeout(safety);
    await Deno.remove(pidDir, { recursive: true });
  }
}

Deno.test({
  name: "kill -9 of wedge mid-run leaves nothing of two node command servers running",
  ignore: !linux,
  async fn() {
    const pids = await killCliMidRun(NODE_SERVERS, ["spawnChild=true"], 2);
    assert.equal(pids.length, 2);
    const groups = pids.map(([pid]) => pid);
    const left = await waitFor(() => runningIn(groups).length === 0, 5000);
    assert.ok(left, `still running in groups ${groups}: ${runningIn(groups)}`);
    for (const [pid, child] of pids) {
      assert.ok(stat(pid) === null || stat(pid)!.state === "Z", `server ${pid} survived`);
      assert.ok(stat(child) === null || stat(child)!.state === "Z", `its child ${child} survived`);
    }
  },
});

Deno.test({
  name: "kill -9 of wedge mid-run ends a server host and what its handler started",
  ignore: !linux,
  async fn() {
    const [[host, sleep]] = await killCliMidRun(HOST_CHILD, [], 1);
    assert.ok(await waitFor(() => runningIn([host]).length === 0, 5000), `group ${host} lives`);
    assert.ok(stat(sleep) === null || stat(sleep)!.state === "Z", `the handler's sleep survived`);
  },
});

Deno.test({
  name: "the supervisor keeps the command's own exit code and signal, and stays out of its group",
  ignore: !linux,
  async fn() {
    const run = async (script: string) => {
      const [program, ...args] = supervisedArgv(["sh", "-c", script]);
      const child = new Deno.Command(program, {
        args,
        stdin: "piped",
        stdout: "piped",
        detached: true,
      }).spawn();
      const output = await child.output();
      return { status: output, stdout: new TextDecoder().decode(output.stdout) };
    };
    // 137 by exit and SIGKILL by signal stay apart (a shell's `$?` would merge them).
    const code = await run("exit 137");
    assert.deepEqual([code.status.code, code.status.signal], [137, null]);
    const signal = await run("kill -9 $$");
    assert.equal(signal.status.signal, "SIGKILL");
    // The command reads /dev/null, not the supervisor's pipe.
    assert.equal((await run('read x; echo "$?"')).stdout.trim(), "1");
    // The command is the pid wedge spawned (exec), and its group holds nothing but itself: the
    // watcher is in a session of its own, and no child of the command's.
    const [program, ...args] = supervisedArgv(["sleep", "300"]);
    const child = new Deno.Command(program, { args, stdin: "piped", detached: true }).spawn();
    const guard = groupGuard(child.stdin);
    const watcher = await waitFor(() => watcherOf(child.pid), 3000);
    assert.ok(watcher, "no watcher");
    // The watcher starts before the shell execs the command: wait for the exec, and for the
    // subshell that started the watcher to be gone from the group.
    const cmdline = () => Deno.readTextFileSync(`/proc/${child.pid}/cmdline`);
    await waitFor(
      () => cmdline() === "sleep\x00300\x00" && runningIn([child.pid]).length === 1,
      3000,
    );
    assert.equal(cmdline(), "sleep\x00300\x00");
    assert.deepEqual(runningIn([child.pid]), [child.pid]);
    assert.notEqual(stat(watcher)?.ppid, child.pid);
    assert.equal(stat(watcher)?.pgrp, watcher);
    await guard.fire();
    assert.equal((await child.status).signal, "SIGKILL");
    assert.ok(await waitFor(() => stat(watcher) === null || stat(watcher)!.state === "Z", 3000));
  },
});

Deno.test({
  name: "the supervisor kills the whole group when its pipe closes, and not once disarmed",
  ignore: !linux,
  async fn() {
    const start = () => {
      const [program, ...args] = supervisedArgv(["sh", "-c", "sleep 300 & echo $!; wait"]);
      const child = new Deno.Command(program, {
        args,
        stdin: "piped",
        stdout: "piped",
        stderr: "null",
        detached: true,
      }).spawn();
      return { child, guard: groupGuard(child.stdin) };
    };
    const firstLine = async (child: Deno.ChildProcess) => {
      const reader = child.stdout.getReader();
      const { value } = await reader.read();
      reader.releaseLock();
      await child.stdout.cancel();
      return Number(new TextDecoder().decode(value).trim());
    };
    const fired = start();
    const sleep = await firstLine(fired.child);
    await fired.guard.fire();
    assert.equal((await fired.child.status).signal, "SIGKILL");
    assert.ok(await waitFor(() => runningIn([fired.child.pid]).length === 0, 3000));
    assert.ok(stat(sleep) === null || stat(sleep)!.state === "Z");

    const disarmed = start();
    const sleep2 = await firstLine(disarmed.child);
    await disarmed.guard.disarm();
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(stat(disarmed.child.pid)?.state, "S", "a disarmed supervisor killed");
    Deno.kill(-disarmed.child.pid, "SIGKILL");
    await disarmed.child.status;
    assert.ok(await waitFor(() => runningIn([disarmed.child.pid]).length === 0, 3000));
    assert.ok(stat(sleep2) === null || stat(sleep2)!.state === "Z");
  },
});

Deno.test({
  name: "a server that exits while the client workers start stops the run (server-exited)",
  ignore: !linux,
  async fn() {
    const logDir = await Deno.makeTempDir({ prefix: "wedge_test_logs_" });
    const started = performance.now();
    // The node server exits on its first connection: wedge's readiness probe. Its exit lands
    // while the run starts its client workers (4 threads), before any load.
    const report = await runScenario(nodeServers, {
      file: NODE_SERVERS,
      logDir,
      set: { count: 1, exitOnConnection: true, duration: "30s", workers: 4, threads: 4 },
    });
    const elapsed = performance.now() - started;
    assert.equal(report.outcome, "server-exited", report.outcomeDetail);
    // Generous for a loaded machine; without the fix the load runs its 30 s.
    assert.ok(report.durationMs < 5000, `the load went on for ${report.durationMs}ms`);
    assert.ok(elapsed < 25_000, `the run went on for ${elapsed}ms`);
    assert.equal(report.totals.completed, 0);
    const app = report.serverProcesses[0];
    assert.equal(app.exit?.code, 3);
    assert.equal(app.exit?.early, true);
    assert.match(app.exit!.stderrTail, /node_server: exiting/);
    assert.equal(report.passed, false);
    await Deno.remove(logDir, { recursive: true });
  },
});

Deno.test({
  name: "the servers line shows a command with its port filled in, never {port}",
  ignore: !linux,
  async fn() {
    const logDir = await Deno.makeTempDir({ prefix: "wedge_test_logs_" });
    const report = await runScenario(nodeServers, {
      file: NODE_SERVERS,
      logDir,
      set: { count: 2, duration: "200ms" },
    });
    assert.equal(report.outcome, "completed", report.outcomeDetail);
    for (const server of report.servers) {
      const port = new URL(server.url).port;
      assert.doesNotMatch(server.behavior, /\{port\}/);
      assert.match(server.behavior, new RegExp(`node_server\\.mjs --port ${port}$`));
    }
    assert.equal(
      describeBehavior({ kind: "command", argv: ["a", "{port}"] } as never, { port: 7 }),
      "command a 7",
    );
    await Deno.remove(logDir, { recursive: true });
  },
});

Deno.test({
  name: "every not-ready error names the command (python subject)",
  ignore: !linux,
  async fn() {
    const logDir = await Deno.makeTempDir({ prefix: "wedge_test_logs_" });
    const silent = ["python3", "-c", "import time, sys; time.sleep(30)", "{port}"];
    const base = { env: {}, cwd: null, readyTimeoutMs: 300, stopTimeoutMs: 1000 };
    const cases = [
      { ...base, argv: silent, ready: { kind: "port" as const } },
      { ...base, argv: silent, ready: { kind: "url" as const, url: "http://127.0.0.1:{port}/" } },
      { ...base, argv: silent, ready: { kind: "stdout" as const, pattern: /Serving/ } },
      {
        ...base,
        argv: ["python3", "-c", "import sys; sys.exit(4)", "{port}"],
        ready: { kind: "port" as const },
      },
    ];
    for (const spec of cases) {
      await assert.rejects(
        () => startCommandServer(spec, { name: "py[0]", logDir }),
        (error: unknown) => {
          assert.ok(error instanceof CommandServerError);
          assert.match(
            error.message,
            /command: python3 -c 'import (time, )?sys; (time\.sleep\(30\)|sys\.exit\(4\))' \d+/,
          );
          return true;
        },
      );
    }
    // Aborted while starting: the message names the command too.
    await assert.rejects(
      () =>
        startCommandServer({ ...cases[0], readyTimeoutMs: 20_000 }, {
          name: "py[0]",
          logDir,
          signal: AbortSignal.timeout(200),
        }),
      /starting was interrupted .*\(command: python3 -c/,
    );
    await Deno.remove(logDir, { recursive: true });
  },
});

Deno.test({
  name: "a plan whose servers and workers cannot start under ulimit -n exits 2 before any process",
  ignore: !linux,
  async fn() {
    const pidDir = await Deno.makeTempDir({ prefix: "wedge_pids_" });
    const output = await new Deno.Command("prlimit", {
      args: [
        "--nofile=80",
        Deno.execPath(),
        "run",
        "--allow-all",
        "cli/main.ts",
        NODE_SERVERS,
        "--quiet",
        ...["--set", `pidDir=${pidDir}`, "--set", "workers=8", "--set", "threads=8"],
        ...["--set", "duration=200ms"],
      ],
      cwd: ROOT,
      env: { NO_COLOR: "1" },
      signal: AbortSignal.timeout(30_000),
    }).output();
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 2, stderr);
    assert.match(stderr, /file descriptor limit \(ulimit -n\) is 80/);
    assert.match(stderr, /needs about \d+ \(open now: \d+, .*8 client workers: 48/);
    assert.match(stderr, /Nothing was started/);
    assert.deepEqual(pidFiles(pidDir), []);
    await Deno.remove(pidDir, { recursive: true });
  },
});

Deno.test({
  name: "a kill wedge may not send (NotCapable) fails the run, and the supervisor ends the server",
  ignore: !linux,
  async fn() {
    const logDir = await Deno.makeTempDir({ prefix: "wedge_test_logs_" });
    const script = `
      import { runScenario } from ${JSON.stringify(new URL("../../mod.ts", import.meta.url).href)};
      import scenario from ${
      JSON.stringify(new URL("../fixtures/node_servers.ts", import.meta.url).href)
    };
      const report = await runScenario(scenario, {
        file: ${JSON.stringify(NODE_SERVERS)},
        logDir: ${JSON.stringify(logDir)},
        set: { count: 1, duration: "300ms" },
      });
      console.log(JSON.stringify({
        passed: report.passed,
        stayUp: report.assertions.find((a) => a.name === "serverProcessesStayUp"),
        incidents: report.incidents,
        pid: report.serverProcesses[0].pid,
      }));
    `;
    const path = `${ROOT}tests/.narrowed_${Deno.pid}.ts`;
    await Deno.writeTextFile(path, script);
    try {
      // Allowed to start node through the supervisor (sh, setsid), not to send signals.
      const output = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--allow-read",
          "--allow-write",
          "--allow-net",
          "--allow-env",
          "--allow-sys",
          `--allow-run=node,/bin/sh,${supervisorAvailable()}`,
          path,
        ],
        cwd: ROOT,
        signal: AbortSignal.timeout(30_000),
      }).output();
      const stdout = new TextDecoder().decode(output.stdout);
      assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
      const result = JSON.parse(stdout.trim().split("\n").at(-1)!);
      assert.equal(result.passed, false);
      assert.equal(result.stayUp.pass, false);
      assert.match(result.stayUp.detail, /could not signal app\[0\].*Requires run access/);
      assert.ok(result.incidents.some((i: string) => /could not be signalled/.test(i)));
      assert.ok(await waitFor(() => runningIn([result.pid]).length === 0, 3000));
    } finally {
      await Deno.remove(path);
      await Deno.remove(logDir, { recursive: true });
    }
  },
});
