import assert from "node:assert/strict";
import { diagnoseStall, type StallEvidence } from "../runtime/stall_diagnosis.ts";
import { renderStallDiagnosis } from "../runtime/text_report.ts";

function evidence(overrides: Partial<StallEvidence> = {}): StallEvidence {
  return {
    detectedAtMs: 7000,
    progressStoppedAtMs: 2000,
    boundMs: 5000,
    totals: { completed: 900, inFlight: 8, planned: 1000 },
    serverNames: ["hello[0]", "hello[1]", "hello[2]"],
    clientNames: ["c[0]", "c[1]"],
    inFlightByServer: [0, 8, 0],
    awaitingHeadersByServer: [0, 8, 0],
    inFlightByClient: [4, 4],
    servers: [
      { received: 300, responded: 300, failure: null },
      { received: 308, responded: 300, failure: null },
      { received: 300, responded: 300, failure: null },
    ],
    oldest: [
      { clientId: 1, server: 1, ageMs: 4900, phase: "awaiting-headers" },
      { clientId: 0, server: 1, ageMs: 5000, phase: "awaiting-headers" },
    ],
    process: { openFds: 40, fdLimit: 20000, rssBytes: 100 * 1024 * 1024 },
    silentWorkers: [],
    sockets: null,
    serverPorts: [8080, 8081, 8082],
    ...overrides,
  };
}

Deno.test("a handler hang: every request waits on one server that received them and never answered", () => {
  const d = diagnoseStall(evidence());
  assert.deepEqual(d.hints, [
    "every request in flight (8) waits on hello[1]",
    "hello[1] received 8 requests it never answered: its handler is stuck (a server-side hang)",
  ]);
  assert.deepEqual(d.servers.map((s) => s.server), ["hello[1]"]);
  assert.deepEqual(d.oldest.map((r) => `${r.client}->${r.server}@${r.ageMs}`), [
    "c[0]->hello[1]@5000",
    "c[1]->hello[1]@4900",
  ]);
  assert.equal(d.owed, 100);
});

Deno.test("requests the server never saw wait before the handler (not accepted, accept queue)", () => {
  const d = diagnoseStall(evidence({
    servers: [
      { received: 300, responded: 300, failure: null },
      { received: 300, responded: 300, failure: null },
      { received: 300, responded: 300, failure: null },
    ],
  }));
  assert.match(
    d.hints[1],
    /^hello\[1\]'s handler never saw 8 of the 8 requests the clients are awaiting headers for: they wait before the handler/,
  );
});

Deno.test("a stopped server, a body that never ends, fds at the limit and a silent worker are each named", () => {
  const d = diagnoseStall(evidence({
    inFlightByServer: [2, 6, 0],
    servers: [
      { received: 100, responded: 100, failure: "Too many open files (os error 24)" },
      { received: 306, responded: 306, failure: null },
      { received: 300, responded: 300, failure: null },
    ],
    oldest: [{ clientId: 0, server: 1, ageMs: 5000, phase: "reading-body" }],
    process: { openFds: 19_990, fdLimit: 20_000, rssBytes: null },
    silentWorkers: [{ worker: 1, silentForMs: 4000 }],
  }));
  assert.ok(d.hints.includes("6 of 8 requests in flight wait on hello[1]"), d.hints.join("\n"));
  assert.ok(d.hints.includes("hello[0] stopped serving: Too many open files (os error 24)"));
  assert.ok(
    d.hints.some((h) =>
      h.startsWith("the oldest requests got their headers but their bodies never ended")
    ),
  );
  assert.ok(
    d.hints.some((h) => h.startsWith("open file descriptors 19990 are near the limit 20000")),
  );
  assert.ok(
    d.hints.includes("client worker 1 has posted nothing for 4.00s: its event loop may be blocked"),
  );
});

Deno.test("nothing in flight but work owed: the clients stopped sending", () => {
  const d = diagnoseStall(evidence({
    totals: { completed: 900, inFlight: 0, planned: 1000 },
    inFlightByServer: [0, 0, 0],
    inFlightByClient: [0, 0],
    servers: [
      { received: 300, responded: 300, failure: null },
      { received: 300, responded: 300, failure: null },
      { received: 300, responded: 300, failure: null },
    ],
    oldest: [],
  }));
  assert.deepEqual(d.hints, [
    "nothing is in flight but 100 requests are still owed: the clients stopped sending",
  ]);
});

Deno.test("the rendered diagnosis says when, where, what the servers saw, resources and hints", () => {
  const text = renderStallDiagnosis(diagnoseStall(evidence()));
  for (
    const line of [
      "STALL: no request completed for 5.00s (bound 5.00s): progress stopped 2.00s into the load, detected at 7.00s",
      "  900 done, 100 owed (in flight or not yet sent), 8 in flight",
      "    hello[1]: 8 in flight; received 308, answered 300 (8 still in its handler)",
      "  in flight by client: c[0] 4, c[1] 4",
      "    c[0] -> hello[1]: 5.00s, awaiting headers",
      "  runtime: 40 open fds (limit 20000), RSS 100.00MiB",
      "    - every request in flight (8) waits on hello[1]",
    ]
  ) {
    assert.ok(text.includes(line), `missing ${JSON.stringify(line)} in:\n${text}`);
  }
});

Deno.test("a body that never ends is not mistaken for requests that never reached the handler", () => {
  const d = diagnoseStall(evidence({
    totals: { completed: 900, inFlight: 2, planned: 1000 },
    inFlightByServer: [2, 0, 0],
    awaitingHeadersByServer: [0, 0, 0],
    inFlightByClient: [2, 0],
    servers: [
      { received: 302, responded: 302, failure: null },
      { received: 300, responded: 300, failure: null },
      { received: 300, responded: 300, failure: null },
    ],
    oldest: [{ clientId: 0, server: 0, ageMs: 5000, phase: "reading-body" }],
  }));
  assert.deepEqual(d.hints, [
    "every request in flight (2) waits on hello[0]",
    "the oldest requests got their headers but their bodies never ended: a slow or cut-off body",
  ]);
});
