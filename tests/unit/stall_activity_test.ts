import assert from "node:assert/strict";
import { socketActivity } from "../../run/stall_activity.ts";
import { StallEvidence } from "../../run/stall_evidence.ts";
import { countSockets, type SocketCensus, type TcpState } from "../../system/socket_census.ts";

/** The census of sockets written `localPort remotePort STATE [rx tx]` for server port 8080. */
function census(lines: string[]): SocketCensus {
  return countSockets(
    lines.map((l) => {
      const [localPort, remotePort, state, rx = "0", tx = "0"] = l.split(" ");
      return {
        localPort: Number(localPort),
        remotePort: Number(remotePort),
        state: state as TcpState,
        rxQueue: Number(rx),
        txQueue: Number(tx),
      };
    }),
    new Set([8080]),
  );
}

const IDLE = ["8080 0 LISTEN", "40000 8080 ESTABLISHED", "8080 40000 ESTABLISHED"];

/** Looks every 100 ms from 0 to `untilMs` with one silent worker; the census at each look. */
function firstKnownAt(untilMs: number, at: (ms: number) => SocketCensus | null): number | null {
  const evidence = new StallEvidence();
  for (let ms = 0; ms <= untilMs; ms += 100) {
    const activity = [null, ...socketActivity(at(ms))];
    if (evidence.observe({ atMs: ms, silentWorkers: 1, activity })) return ms;
  }
  return null;
}

Deno.test("sockets that do not move make a run with a silent worker quiet after a second", () => {
  assert.equal(firstKnownAt(5000, () => census(IDLE)), 1000);
});

Deno.test("client sockets changing state every half second keep progress unknown", () => {
  const moving = (ms: number) =>
    census(Math.floor(ms / 500) % 2 ? IDLE : [...IDLE, "40001 8080 SYN_SENT"]);
  assert.equal(firstKnownAt(5000, moving), null);
});

Deno.test("bytes newly waiting on the run's sockets are activity", () => {
  const moving = (ms: number) =>
    census(
      Math.floor(ms / 500) % 2 ? IDLE : [...IDLE.slice(0, 2), "8080 40000 ESTABLISHED 0 120"],
    );
  assert.equal(firstKnownAt(5000, moving), null);
});

Deno.test("TIME_WAIT sockets expiring on the kernel's timer are not activity", () => {
  const expiring = (ms: number) =>
    census([
      ...IDLE,
      ...Array.from({ length: 50 - ms / 100 }, (_, i) => `${41000 + i} 8080 TIME_WAIT`),
    ]);
  assert.equal(firstKnownAt(4900, expiring), 1000);
});

Deno.test("without a census nothing is read, and nothing read is no evidence", () => {
  assert.equal(firstKnownAt(5000, () => null), null);
});
