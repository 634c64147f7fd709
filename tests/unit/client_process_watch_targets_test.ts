// The command client stall watch judges each process against the servers it targets. Real
// processes hold real connections (read from /proc as in a run); the servers' counts and the
// clock are the test's. Every process started here is killed and reaped by PID.
import assert from "node:assert/strict";
import type { CommandClientStall } from "../../report/types.ts";
import { ClientProcessWatch, fleetTargets } from "../../run/client_process_watch.ts";
import type { ClientProcess, CommandClients } from "../../run/command_clients.ts";
import { alive } from "../_process.ts";

const HOLD = "import socket, sys, time\n" +
  "s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))\n" +
  "print('connected', flush=True)\n" +
  "time.sleep(30)\n";

/** A process of fleet `fleet` holding one connection to `port` (at most 30 s). */
async function holder(
  fleet: string,
  port: number,
): Promise<ClientProcess & { os: Deno.ChildProcess }> {
  const os = new Deno.Command("python3", {
    args: ["-c", HOLD, String(port)],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = os.stdout.getReader();
  const { value } = await reader.read();
  reader.releaseLock();
  assert.match(new TextDecoder().decode(value), /connected/);
  const child = { pid: os.pid, reaped: false };
  return { name: `${fleet}[0]`, fleet, index: 0, os, child } as unknown as ClientProcess & {
    os: Deno.ChildProcess;
  };
}

/** The received counts of servers a[0] and b[0], as the test moves them. */
type Counts = { a: number | null; b: number | null };

/** Ticks a watch (bound 2 s) every 500 ms of test time up to 2.5 s, moving the counts first. */
async function watch(
  holders: ClientProcess[],
  move: (counts: Counts, atMs: number) => void,
  ports: number[],
): Promise<ClientProcessWatch> {
  const counts: Counts = { a: 5, b: 0 };
  let now = 0;
  const stalls: CommandClientStall[] = [];
  const w = new ClientProcessWatch({
    clients: { running: () => holders } as unknown as CommandClients,
    ports: new Set(ports),
    elapsedMs: () => now,
    refresh: () => Promise.resolve(),
    streamsOf: () => null,
    serverCounts: () => [
      { name: "a[0]", received: counts.a, answered: counts.a },
      { name: "b[0]", received: counts.b, answered: counts.b },
    ],
    portOf: (name) => ({ "a[0]": ports[0], "b[0]": ports[1] })[name] ?? null,
    targetsOf: fleetTargets(
      [{ name: "py", target: "a" }, { name: "curl", target: "b" }],
      [{ fleet: "a", index: 0 }, { fleet: "b", index: 0 }],
    ),
    stallBoundMs: 2000,
    onStall: (stall) => stalls.push(stall),
  });
  for (now = 0; now <= 2500; now += 500) {
    move(counts, now);
    await w.tick();
  }
  assert.ok(stalls.length <= 1, "onStall is called once");
  return w;
}

/** Runs `body` with listeners a and b and the holders it asks for, then kills and reaps them. */
async function withServers(
  body: (
    hold: (fleet: string, on: "a" | "b") => Promise<ClientProcess>,
    ports: number[],
  ) => Promise<void>,
): Promise<void> {
  const listeners = [Deno.listen({ port: 0 }), Deno.listen({ port: 0 })];
  const ports = listeners.map((l) => l.addr.port);
  const started: (ClientProcess & { os: Deno.ChildProcess })[] = [];
  try {
    await body(async (fleet, on) => {
      const h = await holder(fleet, ports[on === "a" ? 0 : 1]);
      started.push(h);
      return h;
    }, ports);
  } finally {
    for (const h of started) {
      h.os.kill("SIGKILL");
      await h.os.status;
      await h.os.stdout.cancel();
      assert.equal(alive(h.os.pid), false, `holder ${h.os.pid} still exists`);
    }
    for (const l of listeners) l.close();
  }
}

Deno.test("a client whose target fleet receives nothing stalls while another fleet is busy", async () => {
  await withServers(async (hold, ports) => {
    const holders = [await hold("py", "a"), await hold("curl", "b")];
    const { stall } = await watch(holders, (c, atMs) => (c.b = atMs), ports);
    assert.ok(stall !== null, "no stall: b's requests were taken for py's progress");
    assert.deepEqual(stall.processes.map((p) => p.name), ["py[0]"]);
    assert.deepEqual(stall.servers.map((s) => s.name), ["a[0]"]);
    assert.equal(stall.servers[0].received, 5);
    assert.equal(stall.atMs, 2000);
    assert.equal(stall.lastRequestAtMs, 0);
  });
});

Deno.test("a single client whose target receives nothing stalls at the bound", async () => {
  await withServers(async (hold, ports) => {
    const { stall } = await watch([await hold("py", "a")], () => {}, ports);
    assert.deepEqual(stall?.processes.map((p) => p.name), ["py[0]"]);
    assert.equal(stall?.atMs, 2000);
  });
});

Deno.test("clients whose targets keep receiving do not stall", async () => {
  await withServers(async (hold, ports) => {
    const holders = [await hold("py", "a"), await hold("curl", "b")];
    const { stall } = await watch(holders, (c, atMs) => {
      c.a = 5 + atMs;
      c.b = atMs;
    }, ports);
    assert.equal(stall, null);
  });
});

Deno.test("a client whose target wedge cannot count in is never judged stalled", async () => {
  await withServers(async (hold, ports) => {
    const { stall } = await watch([await hold("py", "a")], (c) => (c.a = null), ports);
    assert.equal(stall, null);
  });
});

Deno.test("a client's memory readings carry its own targets' answered count, not every server's", async () => {
  await withServers(async (hold, ports) => {
    const holders = [await hold("py", "a"), await hold("curl", "b")];
    const w = await watch(holders, (c, atMs) => {
      c.a = 5 + atMs;
      c.b = 100_000 + atMs;
    }, ports);
    const py = w.seen.get(holders[0])!;
    assert.ok(py.rss.length > 0, "no memory reading");
    // py targets a: 5 + t, never a's and b's sum (a leak per request would be judged on it).
    assert.deepEqual(py.rss.map((r) => r.answered), py.rss.map((r) => 5 + r.atMs));
  });
});

Deno.test("a stalled client's connections the server never accepted are named, not blamed on it", async () => {
  await withServers(async (hold, ports) => {
    // The test's listeners never accept: py's connection waits in a's accept queue.
    const { stall } = await watch([await hold("py", "a")], () => {}, ports);
    assert.equal(stall?.acceptQueued, 1);
    assert.match(stall!.hints[0], /^1 connection\(s\) wait in the accept queue of a\[0\]/);
    assert.doesNotMatch(stall!.hints.join("\n"), /seed 000|sent none/);
  });
});
