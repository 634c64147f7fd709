// The probe after the load against servers wedge did not write: a raw TCP server that accepts
// every connection and never answers is NOT ANSWERING (its probes connected and were taken), one
// whose listener is gone or never calls accept() is NOT ACCEPTING (refused, or left in the accept
// queue). The first was once reported as "stopped accepting".
import assert from "node:assert/strict";
import { probeHttp } from "../../system/http_probe.ts";
import { probeServers } from "../../run/accept_probe.ts";

/** A listener that accepts and reads, never writes; the sockets it accepted. */
function silentServer(): { port: number; accepted: () => number; close(): void } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  (async () => {
    for await (const conn of listener) conns.push(conn);
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    accepted: () => conns.length,
    close() {
      listener.close();
      for (const c of conns) c.close();
    },
  };
}

Deno.test("a probe that connects and gets no status says so; one that cannot connect says why", async () => {
  const server = silentServer();
  try {
    const silent = await probeHttp(`http://127.0.0.1:${server.port}/`, { timeoutMs: 300 });
    assert.deepEqual(silent, {
      status: null,
      error: "connected, but no status within 300ms",
      connected: true,
    });
    assert.equal(server.accepted(), 1, "the server accepted the probe");
  } finally {
    server.close();
  }
  const refused = await probeHttp(`http://127.0.0.1:${server.port}/`, { timeoutMs: 300 });
  assert.equal(refused.status, null);
  assert.match(refused.error!, /^connection (refused|reset)$/);
  assert.equal(refused.status === null && refused.connected, false);
});

Deno.test("after the load: a listener that accepts and is silent is not answering; one that never accepts is not accepting", async () => {
  const silent = silentServer();
  const closedDoor = Deno.listen({ hostname: "127.0.0.1", port: 0 }); // never calls accept()
  const door = (closedDoor.addr as Deno.NetAddr).port;
  try {
    const [answering, accepting] = await probeServers([
      `http://127.0.0.1:${silent.port}/`,
      `http://127.0.0.1:${door}/`,
    ], { attempts: 2, intervalMs: 100, timeoutMs: 200 });
    assert.equal(answering!.lastConnected, true);
    assert.equal(answering!.lastError, "connected, but no status within 200ms");
    // The connect completes in the kernel's backlog, as stopAccepting() and seed 000's servers do.
    assert.equal(accepting!.lastConnected, false);
    assert.match(
      accepting!.lastError!,
      /^connected, but no status within 200ms, [12] connections? left in its accept queue$/,
    );
  } finally {
    silent.close();
    closedDoor.close();
  }
});
