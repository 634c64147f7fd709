/**
 * The epoll loop's pacer: lanes waiting for their next request's intended send time (the open
 * model), earliest first (a binary heap). The loop wakes for the earliest one (a timerfd in its
 * epoll set) and calls each as its time comes, from its own turn: no timer, no promise.
 *
 * Pure: the clock is the caller's.
 *
 * @module
 */

/** A lane waiting for a time: the pacer calls `onDue` once `dueAt` has passed. */
export interface Paced {
  /** When it is due (`performance.now()` ms). */
  dueAt: number;
  /** Called once, when `dueAt` has passed. */
  onDue(): void;
}

/**
 * Waiting lanes by due time.
 *
 * @example
 * ```ts
 * import { Pacer } from "./pacer.ts";
 * import assert from "node:assert/strict";
 *
 * const pacer = new Pacer();
 * const fired: number[] = [];
 * for (const dueAt of [30, 10, 20]) pacer.add({ dueAt, onDue: () => fired.push(dueAt) });
 * assert.equal(pacer.earliest, 10);
 * pacer.fireDue(25);
 * assert.deepEqual(fired, [10, 20]);
 * assert.equal(pacer.earliest, 30);
 * ```
 */
export class Pacer {
  #heap: Paced[] = [];

  /** The earliest due time, or Infinity when no lane waits. */
  get earliest(): number {
    return this.#heap.length ? this.#heap[0].dueAt : Infinity;
  }

  /** Lanes waiting. */
  get size(): number {
    return this.#heap.length;
  }

  /** Adds a lane waiting until its `dueAt`. */
  add(item: Paced): void {
    const heap = this.#heap;
    let i = heap.push(item) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent].dueAt <= item.dueAt) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = item;
  }

  /**
   * Calls every lane due at `now` (earliest first); lanes a call adds are called too if due.
   *
   * @returns How many were called.
   */
  fireDue(now: number): number {
    let fired = 0;
    while (this.#heap.length && this.#heap[0].dueAt <= now) {
      this.#pop().onDue();
      fired++;
    }
    return fired;
  }

  /** Forgets every waiting lane (the worker is stopping). */
  clear(): void {
    this.#heap = [];
  }

  #pop(): Paced {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length === 0) return top;
    let i = 0;
    while (true) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && heap[right].dueAt < heap[left].dueAt ? right : left;
      if (heap[child].dueAt >= last.dueAt) break;
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = last;
    return top;
  }
}
