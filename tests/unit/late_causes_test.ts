import assert from "node:assert/strict";
import { LateCauses } from "../../clients/late_causes.ts";

/** Causes for `lanes` lanes that have all taken a first request (on time, sent at once). */
function started(lanes: number, at = 0): LateCauses {
  const causes = new LateCauses(at, { lanes });
  for (let i = 0; i < lanes; i++) causes.took(at, at);
  return causes;
}

Deno.test("a request taken 10 ms late with every lane busy since its time is busy", () => {
  const causes = started(2);
  assert.equal(causes.took(109, 100), false); // 9 ms: not late
  assert.equal(causes.took(110, 100), true);
});

Deno.test("a lane idle now holds an earlier request, late too: the lateness is the generator's", () => {
  const causes = started(2);
  assert.equal(causes.took(50, 90), false); // it waits for 90
  assert.equal(causes.took(200, 100), false);
  causes.woke(90, 201); // that lane, 111 ms late
  assert.equal(causes.took(202, 150), false); // due before that late wake-up
  assert.equal(causes.took(260, 240), true); // due after it, with no lane idle
});

Deno.test("a wake-up on time, or a little late, excuses no later request", () => {
  const causes = started(2);
  causes.took(50, 100);
  causes.woke(100, 101.5); // 1.5 ms late: pacer jitter
  // Due at 100.5-101.5, taken 20 ms later by a lane that was busy: every lane was busy.
  assert.equal(causes.took(121, 101), true);
});

Deno.test("lanes that have not taken their first request count as idle (a round starting)", () => {
  const causes = new LateCauses(1000, { lanes: 3 });
  assert.equal(causes.took(1000, 1000), false);
  // The second lane starts 20 ms late and takes a request due at 1005: not busy, it was not.
  assert.equal(causes.took(1025, 1005), false);
  assert.equal(causes.busy(1026, 1010), false); // the third lane has not started
  causes.took(1030, 1040); // it starts, and waits
  causes.woke(1040, 1040.1);
  assert.equal(causes.took(1070, 1045), true);
});

Deno.test("requests due before the round started are the generator's", () => {
  const causes = started(1, 1000);
  assert.equal(causes.took(1020, 1000), false); // lanes were not yet running then
  assert.equal(causes.took(1040, 1001), true);
});
