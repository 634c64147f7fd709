// Readiness on a port counts only a listener of the command's own process group: a foreign
// process (here node) that holds the port wedge picked is never taken for the command.
import assert from "node:assert/strict";
import {
  CommandServerError,
  type CommandServerSpec,
  startCommandServer,
} from "../../servers/command_server.ts";
import { alive } from "../_process.ts";

const FOREIGN = "const s = require('http').createServer((q, r) => r.end('foreign'));" +
  "s.listen(0, '127.0.0.1', () => console.log(s.address().port));";
const SILENT = "setTimeout(() => {}, 30000);";
const LISTENS = "require('http').createServer((q, r) => r.end('mine'))" +
  ".listen(Number(process.argv[1]), '127.0.0.1');";

function spec(overrides: Partial<CommandServerSpec>): CommandServerSpec {
  return {
    argv: ["node", "-e", SILENT],
    ready: { kind: "port" },
    env: {},
    cwd: null,
    readyTimeoutMs: 1500,
    stopTimeoutMs: 1000,
    ...overrides,
  };
}

/** A node HTTP server outside any command's group; the test gets its port and pid. */
async function withForeign(fn: (port: number, pid: number, logDir: string) => Promise<void>) {
  const child = new Deno.Command("node", { args: ["-e", FOREIGN], stdout: "piped" }).spawn();
  const logDir = await Deno.makeTempDir({ prefix: "wedge_port_owner_" });
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    let text = "";
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error("the foreign node server exited before it listened");
      text += value;
    }
    await fn(Number(text.trim()), child.pid, logDir);
  } finally {
    child.kill("SIGKILL");
    await reader.cancel();
    await child.status;
    assert.ok(!alive(child.pid), `foreign server ${child.pid} survived`);
    await Deno.remove(logDir, { recursive: true });
  }
}

function portTest(name: string, fn: () => Promise<void>): void {
  Deno.test({ name, ignore: Deno.build.os !== "linux", fn });
}

/** Starts, expects a CommandServerError naming the foreign holder, and checks the group is gone. */
async function rejectsForeign(
  overrides: Partial<CommandServerSpec>,
  port: number,
  foreignPid: number,
  logDir: string,
): Promise<CommandServerError> {
  let started: number | null = null;
  const error = await startCommandServer(spec(overrides), { name: "app[0]", logDir, port })
    .then(async (server) => {
      started = server.pid;
      await server.stop();
      return null;
    }, (e) => e);
  assert.ok(error instanceof CommandServerError, `ready on a foreign listener (pid ${started})`);
  assert.match(error.message, new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is held by another`));
  assert.match(error.message, new RegExp(`pid ${foreignPid} \\(\\S*node -e `));
  return error;
}

portTest(
  "a command that does not listen is not ready on a port a foreign node process holds",
  () =>
    withForeign(async (port, foreignPid, logDir) => {
      const started = performance.now();
      const error = await rejectsForeign({}, port, foreignPid, logDir);
      assert.match(error.message, /was not ready within 1500ms/);
      assert.ok(performance.now() - started >= 1400, "it waited for the command");
      // The foreign server was left alone.
      assert.ok(alive(foreignPid));
    }),
);

portTest(
  "a url check answered by a foreign node server is not the command being ready",
  () =>
    withForeign(async (port, foreignPid, logDir) => {
      const answer = await (await fetch(`http://127.0.0.1:${port}/`)).text();
      assert.equal(answer, "foreign"); // the url does answer: only its owner is wrong
      await rejectsForeign(
        { ready: { kind: "url", url: "http://127.0.0.1:{port}/" } },
        port,
        foreignPid,
        logDir,
      );
    }),
);

portTest(
  "a command that cannot bind the taken port fails naming what holds it",
  () =>
    withForeign(async (port, foreignPid, logDir) => {
      const error = await rejectsForeign(
        { argv: ["node", "-e", LISTENS, "{port}"], readyTimeoutMs: 10_000 },
        port,
        foreignPid,
        logDir,
      );
      assert.match(error.message, /exited with code 1 before it was ready/);
      assert.match(error.message, /EADDRINUSE/);
    }),
);

portTest("a listener held by a child in the command's group counts as ready", async () => {
  const logDir = await Deno.makeTempDir({ prefix: "wedge_port_owner_" });
  try {
    // sh stays the leader; node, its child, holds the listener.
    const server = await startCommandServer(
      spec({
        argv: ["sh", "-c", 'node -e "$1" "$2"; exit 0', "sh", LISTENS, "{port}"],
        readyTimeoutMs: 10_000,
      }),
      { name: "app[0]", logDir },
    );
    try {
      assert.equal(await (await fetch(server.url)).text(), "mine");
    } finally {
      await server.stop();
    }
    assert.ok(!alive(server.pid), `app[0] (pid ${server.pid}) survived`);
  } finally {
    await Deno.remove(logDir, { recursive: true });
  }
});
