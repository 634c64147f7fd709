import assert from "node:assert/strict";
import { deadline, delay, isTimeout } from "../../units/deadline.ts";

Deno.test("deadline resolves with the promise's value when it settles in time", async () => {
  assert.equal(await deadline(Promise.resolve("done"), 1000), "done");
});

Deno.test("deadline passes the promise's own rejection through", async () => {
  const error = await deadline(Promise.reject(new Error("broke")), 1000).catch((e) => e);
  assert.equal(error.message, "broke");
});

Deno.test("deadline rejects with a TimeoutError once its time runs out", async () => {
  const started = performance.now();
  const error = await deadline(new Promise(() => {}), 30).catch((e) => e);
  assert.ok(isTimeout(error), `expected a TimeoutError, got ${error}`);
  const tookMs = performance.now() - started;
  assert.ok(tookMs >= 25 && tookMs < 5000, `timed out after ${tookMs} ms, not ~30 ms`);
});

Deno.test("deadline rejects with the signal's reason when it aborts first", async () => {
  const controller = new AbortController();
  const waiting = deadline(new Promise(() => {}), 60_000, { signal: controller.signal });
  controller.abort("stalled");
  assert.equal(await waiting.catch((reason) => reason), "stalled");
});

Deno.test("deadline with Infinity waits on the signal alone", async () => {
  const controller = new AbortController();
  const waiting = deadline(new Promise(() => {}), Infinity, { signal: controller.signal });
  setTimeout(() => controller.abort("aborted"), 10);
  assert.equal(await waiting.catch((reason) => reason), "aborted");
  assert.equal(await deadline(Promise.resolve(1), Infinity), 1);
});

Deno.test("deadline rejects at once on an already aborted signal", async () => {
  const error = await deadline(Promise.resolve(1), 1000, { signal: AbortSignal.abort("gone") })
    .catch((reason) => reason);
  assert.equal(error, "gone");
});

Deno.test("delay resolves after its time", async () => {
  const started = performance.now();
  await delay(20);
  assert.ok(performance.now() - started >= 15);
});

Deno.test("delay rejects with the reason and clears its timer when the signal aborts", async () => {
  const cleared: unknown[] = [];
  const clearTimeout = globalThis.clearTimeout;
  globalThis.clearTimeout = (id) => {
    cleared.push(id);
    clearTimeout(id);
  };
  try {
    const controller = new AbortController();
    const sleeping = delay(60_000, { signal: controller.signal });
    controller.abort("stop");
    assert.equal(await sleeping.catch((reason) => reason), "stop");
  } finally {
    globalThis.clearTimeout = clearTimeout;
  }
  assert.equal(cleared.length, 1, "the 60 s timer was left running");
  assert.equal(await delay(10, { signal: AbortSignal.abort("x") }).catch((r) => r), "x");
});

Deno.test("deadline and delay refuse a negative or NaN time", () => {
  assert.throws(() => deadline(Promise.resolve(), -1), RangeError);
  assert.throws(() => delay(Number.NaN), /ms must be 0 or more, got NaN/);
});
