import assert from "node:assert/strict";
import { wilsonInterval } from "../../explore/wilson.ts";

function close(actual: number, expected: number) {
  assert.ok(Math.abs(actual - expected) < 1e-4, `${actual} is not ${expected}`);
}

Deno.test("wilsonInterval: 0 failures of 5 runs still allows a failure rate up to 43%", () => {
  const { low, high } = wilsonInterval(0, 5)!;
  close(low, 0);
  close(high, 0.4345);
});

Deno.test("wilsonInterval: 5 of 5 mirrors 0 of 5", () => {
  const all = wilsonInterval(5, 5)!;
  close(all.low, 0.5655);
  close(all.high, 1);
});

Deno.test("wilsonInterval: 50 of 100 is 40.4% to 59.6%, and 1 of 10 is asymmetric around 10%", () => {
  const half = wilsonInterval(50, 100)!;
  close(half.low, 0.4038);
  close(half.high, 0.5962);
  const one = wilsonInterval(1, 10)!;
  close(one.low, 0.0179);
  close(one.high, 0.4042);
});

Deno.test("wilsonInterval: k of n and n-k of n are mirror images", () => {
  for (const [k, n] of [[1, 7], [3, 7], [2, 20]]) {
    const a = wilsonInterval(k, n)!;
    const b = wilsonInterval(n - k, n)!;
    close(a.low, 1 - b.high);
    close(a.high, 1 - b.low);
  }
});

Deno.test("wilsonInterval: no trials is unknown (null), not 0", () => {
  assert.equal(wilsonInterval(0, 0), null);
});

Deno.test("wilsonInterval: refuses counts that are not 0 <= k <= n whole numbers", () => {
  assert.throws(() => wilsonInterval(6, 5), RangeError);
  assert.throws(() => wilsonInterval(-1, 5), RangeError);
  assert.throws(() => wilsonInterval(1.5, 5), RangeError);
});
