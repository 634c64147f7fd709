import assert from "node:assert/strict";
import {
  createStreamTracker,
  newServerCounters,
  type ServerCounters,
  type ServerToStart,
  startServerFleet,
} from "../../servers/fleet.ts";
import { renderTextReport, type RunReport } from "../../report.ts";
import type { ResolvedBehavior } from "../../scenario/schema.ts";
import { reportFixture } from "../_report_fixture.ts";

/** Starts one h2 server, sends it `requests` one at a time over one HTTP/2 client: its counters. */
async function load(behavior: ResolvedBehavior, requests: number): Promise<ServerCounters> {
  const server: ServerToStart = { id: 0, fleet: "s", index: 0, seed: 1, protocol: "h2", behavior };
  const fleet = await startServerFleet([server]);
  const client = Deno.createHttpClient({ caCerts: fleet.caCerts, http1: false, http2: true });
  try {
    for (let i = 0; i < requests; i++) {
      await fetch(fleet.urls[0], { client }).then((r) => r.arrayBuffer()).catch(() => null);
    }
    // `info.completed` settles a moment after the client saw the end of its stream.
    for (let i = 0; i < 50 && fleet.counters[0].streams!.open > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return fleet.counters[0];
  } finally {
    client.close();
    await fleet.stop();
  }
}

const hello: ResolvedBehavior = { kind: "hello", status: 200, body: "hi", headers: {} };

Deno.test("a server's resetAfterHeaders streams are counted as its resets, none as the client's", async () => {
  const counters = await load({ kind: "resetAfterHeaders", select: { every: 2 }, then: hello }, 8);
  const { reset, resetByServer, open } = counters.streams!;
  assert.deepEqual({ reset, resetByServer, open }, { reset: 0, resetByServer: 4, open: 0 });
});

Deno.test("a server's closeMidBody streams are counted as its resets, none as the client's", async () => {
  const behavior: ResolvedBehavior = {
    kind: "closeMidBody",
    select: { every: 3 },
    bodyBytes: 4096,
    then: hello,
  };
  const { reset, resetByServer } = (await load(behavior, 9)).streams!;
  assert.deepEqual({ reset, resetByServer }, { reset: 0, resetByServer: 3 });
});

Deno.test("a handler that throws is answered 500: neither a client's nor the server's reset", async () => {
  const fetchThatThrows = () => {
    throw new Error("boom");
  };
  const counters = await load({ kind: "handler", fetch: fetchThatThrows } as ResolvedBehavior, 3);
  const { reset, resetByServer } = counters.streams!;
  assert.deepEqual({ reset, resetByServer, errors: counters.handlerErrors }, {
    reset: 0,
    resetByServer: 0,
    errors: 3,
  });
});

Deno.test("Deno refusing a handler's Response.error() is a 500, and does not make a later client reset the server's", async () => {
  let n = 0;
  const endless = () =>
    new Response(new ReadableStream({ pull: () => new Promise<void>(() => {}) }));
  const fetchFn = () => n++ === 0 ? Response.error() : endless();
  const server: ServerToStart = {
    id: 0,
    fleet: "s",
    index: 0,
    seed: 1,
    protocol: "h2",
    behavior: { kind: "handler", fetch: fetchFn } as ResolvedBehavior,
  };
  const fleet = await startServerFleet([server]);
  const client = Deno.createHttpClient({ caCerts: fleet.caCerts, http1: false, http2: true });
  try {
    const refused = await fetch(fleet.urls[0], { client });
    await refused.body?.cancel();
    assert.equal(refused.status, 500);
    // The client gives up on an endless body after its headers: the client's reset.
    const abort = new AbortController();
    const response = await fetch(fleet.urls[0], { client, signal: abort.signal });
    abort.abort();
    await response.body?.cancel().catch(() => {});
    for (let i = 0; i < 50 && fleet.counters[0].streams!.open > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const { reset, resetByServer, open } = fleet.counters[0].streams!;
    assert.deepEqual({ reset, resetByServer, open }, { reset: 1, resetByServer: 0, open: 0 });
  } finally {
    client.close();
    await fleet.stop();
  }
});

Deno.test("body failures are matched to torn-down streams in order; a client's reset stays its own", () => {
  const streams = newServerCounters("h2").streams!;
  const tracker = createStreamTracker(streams);
  const [held, failed, cancelled] = [1, 2, 3].map(() => tracker.open(50000));
  held("reset"); // the client reset it while the handler held it
  held("torn down"); // its `info.completed` rejects afterwards: counted once
  tracker.bodyFailed();
  failed("torn down");
  cancelled("torn down"); // torn down with no body failure: the client's
  assert.deepEqual([streams.reset, streams.resetByServer, streams.open], [2, 1, 0]);
});

Deno.test("the text tells the server's resets from the clients', and says what a stream is here", () => {
  const report = reportFixture();
  const line = (streams: NonNullable<RunReport["servers"][0]["streams"]>) =>
    renderTextReport({ ...report, servers: [{ ...report.servers[0], streams }] });
  assert.match(
    line({ reset: 0, resetByServer: 20, openAtEnd: 0, peakOnOneConnection: 1 }),
    /HTTP\/2 streams: 20 reset by the server \(its response body failed\), 0 reset by clients; in the handler or still sending: 0 at the end, at most 1 on one connection/,
  );
  assert.match(
    line({ reset: 7, openAtEnd: 0, peakOnOneConnection: 1 }),
    /HTTP\/2 streams: 7 reset by clients or the server \(not told apart\);/,
  );
});
