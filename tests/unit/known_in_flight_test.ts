import assert from "node:assert/strict";
import { knownInFlight } from "../../run/stall_evidence.ts";

const counts = {
  total: 12,
  byServer: [5, 7, 0],
  awaitingHeadersByServer: [5, 6, 0],
  byClient: [5, 7, 0],
};
// Client 0 on worker 0 sends to server 0; clients 1 and 2 on worker 1 send to servers 1 and 2.
const clients = [
  { worker: 0, targets: [0] },
  { worker: 1, targets: [1] },
  { worker: 1, targets: [1, 2] },
];

Deno.test("with every worker posting, every in-flight count is known", () => {
  assert.deepEqual(knownInFlight(counts, { silentWorkers: [], clients }), counts);
});

Deno.test("a silent worker: its clients, the servers they target and the total are unknown", () => {
  assert.deepEqual(knownInFlight(counts, { silentWorkers: [1], clients }), {
    total: null,
    byServer: [5, null, null],
    awaitingHeadersByServer: [5, null, null],
    byClient: [5, null, null],
  });
});

Deno.test("a silent worker whose clients target every server leaves only other clients known", () => {
  const everywhere = clients.map((c) => ({ ...c, targets: [0, 1, 2] }));
  const known = knownInFlight({ ...counts, awaitingHeadersByServer: null }, {
    silentWorkers: [0],
    clients: everywhere,
  });
  assert.deepEqual(known, {
    total: null,
    byServer: [null, null, null],
    awaitingHeadersByServer: null,
    byClient: [null, 7, 0],
  });
});
