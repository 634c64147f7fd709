// Accepted-dead connections: a slowly accepting listener (`acceptSlowly`, servers/accept_gate.ts)
// counts the connections whose client had already closed them when it accepted them. Raw TCP
// clients (Deno.connect) connect and close while their connection waits in the backlog.
import assert from "node:assert/strict";
import { startAcceptGate } from "../../servers/accept_gate.ts";
import { delay } from "../../units/deadline.ts";
import { runCli } from "../_cli.ts";

async function until(condition: () => boolean, what: string): Promise<void> {
  const end = performance.now() + 10_000;
  while (!condition()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

async function get(port: number): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(
    new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
  );
  const answer = await new Response(conn.readable).text();
  return answer.split("\r\n")[0];
}

Deno.test("a slow accept loop counts the connections their clients closed while they waited in the backlog", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("hi"),
  );
  const gate = startAcceptGate(server.addr.port, { perSecond: 4, burst: 1 });
  try {
    // The burst's one connection, served.
    assert.equal(await get(gate.port), "HTTP/1.1 200 OK");
    // Two clients that connect and close before sending anything, one that sends its request and
    // closes (its FIN queued behind the request): all three wait in the backlog, then are accepted.
    for (const request of ["", "", "GET / HTTP/1.1\r\nHost: x\r\n\r\n"]) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: gate.port });
      if (request) await conn.write(new TextEncoder().encode(request));
      conn.close();
    }
    // A live client behind them is served.
    assert.equal(await get(gate.port), "HTTP/1.1 200 OK");
    await until(() => gate.accepted() === 5, "5 accepted connections");
    assert.equal(gate.acceptedDead(), 3);
  } finally {
    await gate.close();
    await server.shutdown();
  }
});

Deno.test("normal accept (perSecond 0) counts no live client as dead", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("hi"),
  );
  const gate = startAcceptGate(server.addr.port, { perSecond: 0 });
  try {
    for (let i = 0; i < 20; i++) assert.equal(await get(gate.port), "HTTP/1.1 200 OK");
    assert.equal(gate.accepted(), 20);
    assert.equal(gate.acceptedDead(), 0);
  } finally {
    await gate.close();
    await server.shutdown();
  }
});

Deno.test("siege-hangup shows accepted-dead connections and the backlog; with normal accept none", async () => {
  const slow = await runCli(["siege-hangup"]);
  assert.equal(slow.code, 1, slow.stdout + slow.stderr);
  const dead = Number(/; (\d+) accepted already closed by the client/.exec(slow.stdout)?.[1]);
  assert.ok(dead > 0, slow.stdout);
  assert.match(
    slow.stdout,
    new RegExp(
      `hint: ${dead} accepted connections? (were|was) already closed by (their|its) clients?: they waited in the backlog longer than the client's timeout; the listen backlog held up to [1-9]\\d*; this is the 'hangup right after accept' of seed 001`,
    ),
  );
  const normal = await runCli(["siege-hangup", "--set", "acceptPerSecond=0"]);
  assert.match(normal.stdout, /; 0 accepted already closed by the client/);
  assert.doesNotMatch(normal.stdout, /hint: \d+ accepted connection/);
});
