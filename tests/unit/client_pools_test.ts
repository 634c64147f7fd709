// The raw engines' one client shape (clients/client_pools.ts): made once per client and round,
// shared by its lanes, from its own pool only, with what the engine adds.
import assert from "node:assert/strict";
import { ClientPools } from "../../clients/client_pools.ts";
import type { LaneContext } from "../../clients/lane.ts";

/** A lane context with what the client shape reads (the rest is never touched). */
function laneOf(id: number, options: { method: string; maxIdlePerHost: number | null }) {
  return {
    spec: {
      id,
      pool: { maxIdlePerHost: options.maxIdlePerHost, idleTimeoutMs: null },
      request: { method: options.method, path: "/x", headers: {} },
    },
    state: { init: { urls: ["http://127.0.0.1:8080/", "http://127.0.0.1:8081/base/"] } },
  } as unknown as LaneContext;
}

Deno.test("a raw client's shape is made once per client and round, from its own pool", () => {
  let reached = 0;
  const pools = new ClientPools<{ close(): void }, { reach: number }>(() => ({ reach: ++reached }));
  const lane = laneOf(7, { method: "GET", maxIdlePerHost: null });
  assert.throws(() => pools.client(lane), /no connection pool open for client 7/);
  pools.open(7);
  const client = pools.client(lane);
  assert.equal(pools.client(lane), client); // the client's other lanes share it
  assert.equal(client.pool, pools.of(7));
  assert.equal(client.reach, 1);
  assert.equal(reached, 1);
  assert.deepEqual([client.perRequest, client.head, client.idempotent], [false, false, true]);
  const text = new TextDecoder().decode(client.bytes(1, 2));
  assert.equal(text, "GET /base/x HTTP/1.1\r\nhost: 127.0.0.1:8081\r\n\r\n".repeat(2));
  // The next round's lane context gets its own shape, on the next round's pool.
  pools.closeAll();
  pools.open(7);
  const next = pools.client(laneOf(7, { method: "GET", maxIdlePerHost: null }));
  assert.notEqual(next.pool, client.pool);
  assert.equal(next.reach, 2);
});

Deno.test("per-request, HEAD and non-idempotent clients are told apart", () => {
  const pools = new ClientPools<{ close(): void }>(() => ({}));
  pools.open(1);
  pools.open(2);
  const head = pools.client(laneOf(1, { method: "HEAD", maxIdlePerHost: 0 }));
  assert.deepEqual([head.perRequest, head.head, head.idempotent], [true, true, true]);
  assert.match(new TextDecoder().decode(head.bytes(0, 1)), /connection: close/);
  const post = pools.client(laneOf(2, { method: "post", maxIdlePerHost: 4 }));
  assert.deepEqual([post.perRequest, post.head, post.idempotent], [false, false, false]);
});
