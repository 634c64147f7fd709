// A run counts only its own sockets. TIME_WAIT that an earlier load left toward a server's port
// (here this test's own connections to a node:http server, closed first by the client) is there
// before the run starts: the report says how many, and no census counts them as the run's.
import assert from "node:assert/strict";
import { defineScenario, runScenario } from "../../mod.ts";
import { readTcpTable } from "../../system/socket_census.ts";

const NODE_SERVER = new URL("../fixtures/node_server.mjs", import.meta.url).pathname;
const LINUX = Deno.build.os === "linux";

/** A node:http server on a port of the kernel's choosing, and the way to stop it. */
async function startNode(): Promise<{ port: number; stop(): Promise<void> }> {
  const child = new Deno.Command("node", {
    args: [NODE_SERVER, "--port", "0"],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!/listening on (\d+)\n/.test(text)) {
    const { value, done } = await lines.read();
    if (done) throw new Error(`node_server ended: ${text}`);
    text += value;
  }
  return {
    port: Number(text.match(/listening on (\d+)\n/)![1]),
    stop: async () => {
      await lines.cancel();
      child.kill("SIGKILL");
      await child.status;
    },
  };
}

/** `count` requests, each on its own connection that the client closes first: TIME_WAIT on its side. */
async function leaveTimeWait(port: number, count: number): Promise<void> {
  const request = new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  for (let i = 0; i < count; i++) {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(request);
    await conn.read(new Uint8Array(1024)); // the answer
    conn.close();
  }
}

Deno.test({
  name: "TIME_WAIT left toward a url server's port before the run: counted apart, not as the run's",
  ignore: !LINUX,
  async fn() {
    const node = await startNode();
    try {
      await leaveTimeWait(node.port, 40);
      const table = await readTcpTable();
      const left = table!.filter((s) => s.remotePort === node.port && s.state === "TIME_WAIT");
      assert.ok(left.length >= 40, `${left.length} TIME_WAIT sockets toward the port`);
      const report = await runScenario(
        defineScenario({
          name: "after-an-earlier-load",
          description: "keep-alive requests: the run itself leaves no TIME_WAIT",
          servers: [{ url: `http://127.0.0.1:${node.port}/` }],
          clients: [{ requests: 200, concurrency: 2 }],
        }),
        { seed: 1 },
      );
      assert.equal(report.totals.ok, 200);
      assert.ok(report.sockets, "a census");
      // At most the run's own 2 connections, closed by its clients as they finished.
      assert.ok(report.sockets.peakTimeWait <= 2, JSON.stringify(report.sockets));
      assert.ok((report.sockets.before ?? 0) >= 40, `before: ${report.sockets.before}`);
    } finally {
      await node.stop();
    }
  },
});
