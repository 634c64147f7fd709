import assert from "node:assert/strict";
import { LateCauses } from "../../clients/late_causes.ts";

Deno.test("a request taken 10 ms late with every lane busy since its time is busy", () => {
  const causes = new LateCauses(0);
  assert.equal(causes.busy(109, 100), false); // 9 ms: not late
  assert.equal(causes.busy(110, 100), true);
});

Deno.test("a lane idle now holds an earlier request, late too: the lateness is the generator's", () => {
  const causes = new LateCauses(0);
  causes.waits();
  assert.equal(causes.busy(200, 100), false);
  causes.woke(90, 201); // that lane, 111 ms late
  assert.equal(causes.busy(202, 150), false); // due before that late wake-up
  assert.equal(causes.busy(260, 240), true); // due after it, with no lane idle
});

Deno.test("a wake-up on time, or a little late, excuses no later request", () => {
  const causes = new LateCauses(0);
  causes.waits();
  causes.woke(100, 101.5); // 1.5 ms late: pacer jitter
  // Due at 100.5-101.5, taken 20 ms later by a lane that was busy: every lane was busy.
  assert.equal(causes.busy(121, 101), true);
});

Deno.test("requests due before the round started are the generator's", () => {
  const causes = new LateCauses(1000);
  assert.equal(causes.busy(1020, 1000), false); // lanes were not yet running
  assert.equal(causes.busy(1040, 1001), true);
});
