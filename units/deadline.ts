/**
 * Bounded waits on abort signals, as denoland/std's `async/deadline.ts` and `async/delay.ts`:
 * {@linkcode deadline} bounds a promise, {@linkcode delay} sleeps; both end early when a signal
 * aborts. Pure: no Deno APIs, only `AbortSignal.timeout`/`AbortSignal.any` and `setTimeout`.
 *
 * @module
 */

/** Options for {@linkcode deadline}. */
export interface DeadlineOptions {
  /** Aborting it ends the wait at once, rejecting with its reason. @default {undefined} */
  signal?: AbortSignal;
}

/** Options for {@linkcode delay}. */
export type DelayOptions = DeadlineOptions;

/**
 * Tells whether an error is the one {@linkcode deadline} rejects with when its time runs out.
 *
 * @param error What a `deadline` rejected with.
 * @returns True for a `DOMException` named `TimeoutError`.
 *
 * @example
 * ```ts
 * import { deadline, isTimeout } from "./deadline.ts";
 * import assert from "node:assert/strict";
 *
 * const error = await deadline(new Promise(() => {}), 1).catch((e) => e);
 * assert.ok(isTimeout(error));
 * ```
 */
export function isTimeout(error: unknown): boolean {
  return error instanceof DOMException && error.name === "TimeoutError";
}

/**
 * Settles as `promise` does, unless `ms` pass first (rejects with a `TimeoutError`
 * `DOMException`) or `options.signal` aborts first (rejects with its reason).
 *
 * @param promise The promise to bound.
 * @param ms Time allowed, ms; `Infinity` for no time bound (only the signal).
 * @param options The abort signal.
 * @returns What `promise` resolved to.
 * @throws {RangeError} If `ms` is negative or NaN.
 *
 * @example Bound a slow answer
 * ```ts
 * import { deadline, isTimeout } from "./deadline.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(await deadline(Promise.resolve(7), 100), 7);
 * const slow = new Promise((resolve) => setTimeout(resolve, 50));
 * assert.ok(isTimeout(await deadline(slow, 1).catch((e) => e)));
 * await slow;
 * ```
 */
export function deadline<T>(
  promise: Promise<T>,
  ms: number,
  options: DeadlineOptions = {},
): Promise<T> {
  checkMs("deadline", ms);
  const signals = ms === Infinity ? [] : [AbortSignal.timeout(Math.ceil(ms))];
  if (options.signal) signals.push(options.signal);
  if (signals.length === 0) return promise;
  return abortable(promise, AbortSignal.any(signals));
}

/**
 * Resolves after `ms`; rejects with the signal's reason as soon as `options.signal` aborts (and
 * clears its timer).
 *
 * @param ms Time to wait, ms.
 * @param options The abort signal.
 * @returns Resolves after `ms`.
 * @throws {RangeError} If `ms` is negative or NaN.
 *
 * @example Sleep, or stop sleeping on an abort
 * ```ts
 * import { delay } from "./deadline.ts";
 * import assert from "node:assert/strict";
 *
 * await delay(5);
 * const controller = new AbortController();
 * const sleeping = delay(60_000, { signal: controller.signal });
 * controller.abort("stop");
 * assert.equal(await sleeping.catch((reason) => reason), "stop");
 * ```
 */
export function delay(ms: number, options: DelayOptions = {}): Promise<void> {
  checkMs("delay", ms);
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Settles as `promise` does, or rejects with the signal's reason when it aborts first. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function checkMs(name: string, ms: number): void {
  if (!(ms >= 0)) {
    throw new RangeError(`Cannot ${name}: ms must be 0 or more, got ${ms}`);
  }
}
