// A server host's report of a server that stopped serving is kept at once: a host that dies before
// its next counters (every 250 ms) must not take the failure with it. The host runs under a low
// open-files limit; connections are held open until its accept loop fails with EMFILE, and the
// host is killed (SIGKILL, by pid) the moment the failure is reported.
import assert from "node:assert/strict";
import { startHostedFleet } from "../../servers/hosted_fleet.ts";
import { alive } from "../_process.ts";

Deno.test("a server's failure survives its host dying right after reporting it", async () => {
  let reported: (message: string) => void;
  const failed = new Promise<string>((resolve) => reported = resolve);
  const host = await startHostedFleet([{
    id: 0,
    fleet: "servers",
    index: 0,
    seed: 1,
    protocol: "h1",
    behavior: { kind: "hello", status: 200, body: "hi", headers: {} },
  }], {
    name: "servers",
    logDir: await Deno.makeTempDir({ prefix: "wedge-test-logs-" }),
    nofile: 64,
    onServerFailure: (_, message) => {
      Deno.kill(host.pid, "SIGKILL");
      reported(message);
    },
  });
  const port = Number(new URL(host.urls[0]).port);
  const held: Deno.TcpConn[] = [];
  try {
    // Bounded: 200 connections, more than the host may hold; once it is killed, connects fail.
    for (let i = 0; i < 200; i++) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port }).catch(() => null);
      if (!conn) break;
      held.push(conn);
    }
    const message = await Promise.race([
      failed,
      new Promise<string>((_, reject) => setTimeout(() => reject(new Error("no failure")), 10_000)),
    ]);
    assert.match(message, /os error 24/);
    await host.exited;
    assert.equal(host.counters[0].failure, message);
  } finally {
    for (const conn of held) conn.close();
    await host.stop();
  }
  assert.equal(alive(host.pid), false);
});
