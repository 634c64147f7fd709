import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  CommandServerError,
  type CommandServerSpec,
  startCommandServer,
} from "../../servers/command_server.ts";

const FIXTURE = fileURLToPath(new URL("../fixtures/tiny_server.ts", import.meta.url));
const MODULE = new URL("../../servers/command_server.ts", import.meta.url).href;

function tiny(...options: string[]): string[] {
  return [Deno.execPath(), "run", "--allow-net", FIXTURE, "--port", "{port}", ...options];
}

function spec(overrides: Partial<CommandServerSpec>): CommandServerSpec {
  return {
    argv: tiny(),
    ready: { kind: "port" },
    env: {},
    cwd: null,
    readyTimeoutMs: 2000,
    stopTimeoutMs: 1000,
    ...overrides,
  };
}

/** A Linux-only test (it reads /proc) with a temporary log directory, removed afterwards. */
function serverTest(name: string, fn: (logDir: string) => Promise<void>): void {
  Deno.test({
    name,
    ignore: Deno.build.os !== "linux",
    async fn() {
      const logDir = await Deno.makeTempDir({ prefix: "wedge_command_server_" });
      try {
        await fn(logDir);
      } finally {
        await Deno.remove(logDir, { recursive: true });
      }
    },
  });
}

/** The state letter in `/proc/PID/stat` (`S`, `R`, `Z`, ...), or null when there is no such pid. */
function processState(pid: number): string | null {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
  } catch {
    return null;
  }
}

/**
 * Asserts that `pid` no longer exists. A zombie counts as a failure: our own children must be
 * reaped by the time this is called (waitMs 0). An orphaned grandchild is reaped by PID 1, which
 * may take a while (about a second in some containers), hence waitMs.
 */
async function assertGone(pid: number, waitMs = 0): Promise<void> {
  const deadline = performance.now() + waitMs;
  let state = processState(pid);
  while (state !== null && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    state = processState(pid);
  }
  assert.equal(state, null, `pid ${pid} is still there (state ${state})`);
}

function pidFrom(text: string, label: RegExp): number {
  const match = label.exec(text);
  assert.ok(match, `no ${label} in:\n${text}`);
  return Number(match[1]);
}

async function rejection(promise: Promise<unknown>): Promise<CommandServerError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CommandServerError, `expected a CommandServerError, got ${error}`);
    return error;
  }
  assert.fail("expected a CommandServerError");
}

/** Rejects when `promise` has not settled within `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} took over ${ms}ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

serverTest("ready by port: it answers, logs are captured, stop ends it", async (logDir) => {
  const server = await startCommandServer(spec({}), { name: "app[0]", logDir });
  try {
    assert.equal(server.url, `http://127.0.0.1:${server.port}/`);
    assert.ok(!server.argv.includes("{port}") && server.argv.includes(String(server.port)));
    assert.equal(await (await fetch(server.url)).text(), "hello");
    assert.equal(server.exit, null);
    assert.equal(server.stopping, false);
  } finally {
    const { forced, exit } = await server.stop();
    assert.equal(forced, false);
    assert.equal(exit?.signal, "SIGTERM");
    assert.equal(server.exit, exit);
    assert.equal(server.stopping, true);
  }
  await assertGone(server.pid);
  assert.equal(server.stdoutLog, `${logDir}/app-0.stdout.log`);
  assert.match(
    await Deno.readTextFile(server.stdoutLog),
    new RegExp(`listening on http://127\\.0\\.0\\.1:${server.port}`),
  );
  assert.match(await Deno.readTextFile(server.stderrLog), /tiny_server: starting/);
});

serverTest("ready by url: {port} is replaced in env values and in the url", async (logDir) => {
  // The port reaches the server only through the environment, through a shell that execs it.
  const server = await startCommandServer(
    spec({
      argv: ["sh", "-c", 'exec "$DENO" run --allow-net "$FIXTURE" --port "$TINY_PORT"'],
      env: { DENO: Deno.execPath(), FIXTURE, TINY_PORT: "{port}" },
      ready: { kind: "url", url: "http://127.0.0.1:{port}/health" },
    }),
    { name: "app[1]", logDir },
  );
  try {
    assert.equal(await (await fetch(server.url)).text(), "hello");
  } finally {
    assert.equal((await server.stop()).forced, false);
  }
  await assertGone(server.pid);
});

serverTest("ready by stdout: the pattern is matched on its output", async (logDir) => {
  const server = await startCommandServer(
    spec({ ready: { kind: "stdout", pattern: /listening on http:\/\/127\.0\.0\.1:\d+/g } }),
    { name: "app[0]", logDir },
  );
  try {
    // Ready means the line was printed, so the log file has it already.
    assert.match(await Deno.readTextFile(server.stdoutLog), /listening on/);
    assert.equal(await (await fetch(server.url)).text(), "hello");
  } finally {
    await server.stop();
  }
  await assertGone(server.pid);
});

serverTest("an exit before ready is an error with the code and stderr's end", async (logDir) => {
  const error = await rejection(startCommandServer(
    spec({ argv: tiny("--never-listen", "--exit-after", "100") }),
    { name: "app[0]", logDir },
  ));
  assert.equal(error.exit?.code, 3);
  assert.equal(error.server, "app[0]");
  assert.match(error.message, /^app\[0\] exited with code 3 before it was ready \(command: /);
  assert.match(error.message, /tiny_server\.ts --port \d+ --never-listen/);
  assert.match(error.stderrTail, /tiny_server: fatal: giving up after 100ms$/);
  assert.match(error.message, /tiny_server: fatal: giving up after 100ms/);
  await assertGone(pidFrom(error.stderrTail, /starting \(pid (\d+)\)/));
});

serverTest("a server that never listens times out, naming what was awaited", async (logDir) => {
  const started = performance.now();
  const error = await rejection(startCommandServer(
    spec({ argv: tiny("--never-listen"), readyTimeoutMs: 600, stopTimeoutMs: 500 }),
    { name: "app[0]", logDir },
  ));
  const elapsed = performance.now() - started;
  assert.ok(elapsed >= 600 && elapsed < 600 + 500 + 1000, `took ${elapsed}ms`);
  assert.match(
    error.message,
    /^app\[0\] was not ready within 600ms \(waiting for a connection to 127\.0\.0\.1:\d+\)/,
  );
  assert.match(error.message, /tiny_server: not listening/);
  assert.match(error.message, /listens on 127\.0\.0\.1 at the port given by \{port\}/);
  assert.equal(error.exit?.signal, "SIGTERM");
  await assertGone(pidFrom(error.stderrTail, /starting \(pid (\d+)\)/));

  const byUrl = await rejection(startCommandServer(
    spec({
      argv: tiny("--never-listen"),
      ready: { kind: "url", url: "http://127.0.0.1:{port}/health" },
      readyTimeoutMs: 300,
    }),
    { name: "app[1]", logDir },
  ));
  assert.match(byUrl.message, /^app\[1\] was not ready within 300ms \(waiting for a response/);
  assert.match(byUrl.message, /a response from http:\/\/127\.0\.0\.1:\d+\/health\)/);
  await assertGone(pidFrom(byUrl.stderrTail, /starting \(pid (\d+)\)/));
});

const FIFTY_LINES = 'i=1; while [ $i -le 50 ]; do echo "line $i" >&2; i=$((i+1)); done; exit 5';
const LONG_LINE = "head -c 10000 /dev/zero | tr '\\0' x >&2; echo end >&2; exit 6";

serverTest("the stderr tail keeps the last 20 lines, at most 4096 characters", async (logDir) => {
  const lines = await rejection(startCommandServer(
    spec({ argv: ["sh", "-c", FIFTY_LINES] }),
    { name: "app[0]", logDir },
  ));
  assert.equal(lines.exit?.code, 5);
  assert.deepEqual(
    lines.stderrTail.split("\n"),
    Array.from({ length: 20 }, (_, i) => `line ${31 + i}`),
  );
  assert.match(await Deno.readTextFile(`${logDir}/app-0.stderr.log`), /^line 1\n[^]*\nline 50\n$/);

  const long = await rejection(startCommandServer(
    spec({ argv: ["sh", "-c", LONG_LINE] }),
    { name: "app[0]", logDir },
  ));
  assert.equal(long.stderrTail.length, 4096);
  assert.match(long.stderrTail, /^x+end$/);
});

serverTest("a stdout timeout shows what it printed; a missing {port} is named", async (logDir) => {
  const error = await rejection(startCommandServer(
    spec({
      argv: ["sh", "-c", 'echo "pid $$ up"; exec sleep 30'],
      ready: { kind: "stdout", pattern: /ready/ },
      readyTimeoutMs: 300,
    }),
    { name: "app[0]", logDir },
  ));
  assert.match(error.message, /not ready within 300ms \(waiting for stdout to match \/ready\/\)/);
  assert.match(error.message, /stdout \(last 1 line\):\n {2}pid \d+ up/);
  assert.match(error.message, /prints a line matching \/ready\//);
  assert.equal(error.exit?.signal, "SIGTERM");
  const sleeper = /pid (\d+) up/.exec(error.message)!;
  await assertGone(Number(sleeper[1]));

  const noPort = await rejection(startCommandServer(
    spec({ argv: ["sleep", "30"], readyTimeoutMs: 200 }),
    { name: "app[0]", logDir },
  ));
  assert.match(noPort.message, /Neither its arguments nor its environment mention \{port\}/);
});

serverTest("an exit during the run resolves exited with the code and tail", async (logDir) => {
  const server = await startCommandServer(
    spec({ argv: tiny("--exit-after", "800") }),
    { name: "app[0]", logDir },
  );
  const exit = await within(server.exited, 3000, "the exit");
  assert.equal(exit.code, 3);
  assert.equal(exit.signal, null);
  assert.match(exit.stderrTail, /tiny_server: fatal: giving up after 800ms$/);
  assert.equal(server.exit, exit);
  assert.equal(server.stopping, false);
  await assertGone(server.pid);
  assert.deepEqual(await server.stop(), { forced: false, exit });
});

serverTest("stop escalates to SIGKILL when SIGTERM is ignored", async (logDir) => {
  const server = await startCommandServer(
    spec({ argv: tiny("--ignore-term"), stopTimeoutMs: 300 }),
    { name: "app[0]", logDir },
  );
  const started = performance.now();
  const stopping = server.stop();
  assert.equal(server.stop(), stopping);
  const { forced, exit } = await stopping;
  const elapsed = performance.now() - started;
  assert.equal(forced, true);
  assert.equal(exit?.signal, "SIGKILL");
  assert.ok(elapsed >= 300 && elapsed < 300 + 1000, `took ${elapsed}ms`);
  assert.match(exit!.stderrTail, /tiny_server: ignoring SIGTERM/);
  await assertGone(server.pid);
});

serverTest("stop reaches the server's own children through its process group", async (logDir) => {
  const argv = tiny("--spawn-child");
  argv.splice(2, 0, "--allow-run=sleep");
  const server = await startCommandServer(
    spec({ argv, ready: { kind: "stdout", pattern: /listening on/ } }),
    { name: "app[0]", logDir },
  );
  let grandchild: number;
  try {
    grandchild = pidFrom(await Deno.readTextFile(server.stdoutLog), /child pid (\d+)/);
    assert.equal(processState(grandchild), "S");
  } finally {
    // The fixture does not pass SIGTERM on: only the signal to the group ends `sleep`.
    const { forced, exit } = await server.stop();
    assert.equal(forced, false);
    assert.equal(exit?.code, 143);
  }
  await assertGone(server.pid);
  await assertGone(grandchild);
});

serverTest("what the leader leaves in its group is stopped with it", async (logDir) => {
  // The shell exits at once; the `sleep` it left behind holds the pipes and the group.
  const started = performance.now();
  const error = await rejection(startCommandServer(
    spec({ argv: ["sh", "-c", 'sleep 30 & echo "sleeper $!" >&2; exit 4'], stopTimeoutMs: 2000 }),
    { name: "app[0]", logDir },
  ));
  // SIGTERM ended the sleep: no wait for the stop timeout (nor for PID 1 to reap it).
  assert.ok(performance.now() - started < 1500, `took ${performance.now() - started}ms`);
  assert.equal(error.exit?.code, 4);
  await assertGone(pidFrom(error.stderrTail, /sleeper (\d+)/), 2500);
});

serverTest("after an exit during the run, stop ends what the server left", async (logDir) => {
  // `exec` makes the server the leader and the parent of a `sleep` that outlives it.
  const server = await startCommandServer(
    spec({ argv: ["sh", "-c", 'sleep 30 & echo "sleeper $!" >&2; exec "$@"', "sh", ...tiny()] }),
    { name: "app[0]", logDir },
  );
  const killed = performance.now();
  Deno.kill(server.pid, "SIGKILL");
  // The sleep holds the pipes: the exit is reported anyway, a little later.
  const exit = await within(server.exited, 2000, "the exit");
  assert.ok(performance.now() - killed >= 400, "the exit did not wait for the pipes");
  assert.equal(exit.signal, "SIGKILL");
  assert.equal(server.stopping, false);
  const sleeper = pidFrom(exit.stderrTail, /sleeper (\d+)/);
  assert.equal(processState(sleeper), "S");
  assert.deepEqual(await server.stop(), { forced: false, exit });
  await assertGone(server.pid);
  await assertGone(sleeper, 2500);
});

serverTest("a missing program is an error naming it", async (logDir) => {
  const error = await rejection(startCommandServer(
    spec({ argv: ["wedge-no-such-program", "--port", "{port}"] }),
    { name: "app[0]", logDir },
  ));
  assert.match(error.message, /^app\[0\]: could not start "wedge-no-such-program": /);
  assert.match(error.message, /Check that the program exists/);
  assert.equal(error.exit, null);
  assert.deepEqual(error.argv.slice(0, 2), ["wedge-no-such-program", "--port"]);
});

serverTest("Deno.exit() does not leave a command server behind", async (logDir) => {
  const script = `
    import { startCommandServer } from ${JSON.stringify(MODULE)};
    const server = await startCommandServer({
      argv: ${JSON.stringify(tiny())}, ready: { kind: "port" }, env: {}, cwd: null,
      readyTimeoutMs: 2000, stopTimeoutMs: 1000,
    }, { name: "app[0]", logDir: ${JSON.stringify(logDir)} });
    console.log("server pid " + server.pid);
    Deno.exit(0);
  `;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", script],
    stdin: "null",
    signal: AbortSignal.timeout(5000),
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  // Orphaned by the exit, the killed server is reaped by PID 1.
  await assertGone(pidFrom(new TextDecoder().decode(output.stdout), /server pid (\d+)/), 2500);
});
