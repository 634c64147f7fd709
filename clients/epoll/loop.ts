/**
 * One epoll loop per worker thread: the sockets of every epoll-engine lane of the worker, their
 * readiness read with `epoll_wait` in bounded batches, and the deadlines of requests with a
 * timeout, and the open model's lanes waiting for their send times ({@linkcode Pacer}: a timerfd
 * in the epoll set wakes `epoll_wait` for the earliest, to the microsecond). It never holds the
 * worker's event loop for more than {@linkcode SLICE_MS}: when nothing is in flight it waits on
 * another thread (at most {@linkcode IDLE_WAIT_MS}), so timers, stop requests and snapshots run
 * meanwhile.
 *
 * @module
 */

import {
  CLOCK_MONOTONIC,
  EPOLL_CLOEXEC,
  EPOLL_CTL_ADD,
  EPOLL_CTL_DEL,
  EPOLL_CTL_MOD,
  EPOLL_DATA_OFFSET,
  EPOLL_EVENT_BYTES,
  EPOLLIN,
  errno,
  errnoError,
  ITIMERSPEC_BYTES,
  type LibcSymbols,
  TFD_CLOEXEC,
  TFD_NONBLOCK,
} from "./_libc.ts";
import { type Paced, Pacer } from "./pacer.ts";

/** Busy, the loop runs synchronous batches for at most this long before yielding. */
const SLICE_MS = 5;
/** Idle, it waits for a socket at most this long before looking at deadlines and stops again. */
const IDLE_WAIT_MS = 10;
/** Events read per `epoll_wait`. */
const MAX_EVENTS = 256;
/** Deadlines are checked at most this often (ms). */
const DEADLINE_CHECK_MS = 1;
/** The loop's read buffer, shared by its sockets (it is consumed before the next read). */
export const READ_BUFFER_BYTES = 64 * 1024;

/** What owns a socket in the loop: told of its readiness, and closed at a shutdown. */
export interface EpollSocket {
  /** The socket is ready (`events`: the epoll bits). */
  onEvents(events: number): void;
  /** Closes the socket now, telling no one (the worker is stopping). */
  abandon(): void;
}

/** Something with a deadline: the loop calls `expire` once the deadline has passed. */
export interface Expiring {
  /** When it expires (`performance.now()` ms). */
  deadline: number;
  /** Called once, when the deadline has passed. */
  expire(): void;
}

/**
 * The loop: sockets by fd, deadlines, work deferred to the next turn. It runs while some lane
 * holds it ({@linkcode EpollLoop.hold}) and closes its epoll fd when no lane holds it and no
 * socket is registered.
 *
 * @example
 * ```ts ignore
 * const loop = new EpollLoop(libc);
 * loop.hold();
 * loop.add(fd, EPOLLIN, socket);
 * // ... socket.onEvents(...) is called as data arrives
 * loop.remove(fd);
 * loop.release();
 * ```
 */
export class EpollLoop {
  /** The libc symbols. */
  readonly libc: LibcSymbols;
  /** The read buffer every socket of the loop reads into (sized once). */
  readonly buffer = new Uint8Array(READ_BUFFER_BYTES);
  /** The buffer's length, as `recv` takes it. */
  readonly bufferLength = BigInt(READ_BUFFER_BYTES);
  /** `performance.now()` as of the current turn's `epoll_wait` return (one clock read a turn). */
  now = 0;
  #lengths = new Map<number, bigint>();
  #ep = -1;
  #events = new Uint8Array(EPOLL_EVENT_BYTES * MAX_EVENTS);
  #eventsView = new DataView(this.#events.buffer);
  #waitEvents = new Uint8Array(EPOLL_EVENT_BYTES);
  #ctl = new Uint8Array(EPOLL_EVENT_BYTES);
  #ctlView = new DataView(this.#ctl.buffer);
  #sockets: (EpollSocket | undefined)[] = [];
  // The events of the turn being dispatched: a socket closed meanwhile has its later events in
  // the batch cleared, so they cannot reach a new socket that reuses its fd number.
  #dispatching = 0;
  #dispatched = 0;
  #registered = 0;
  #holds = 0;
  /** Lanes whose batches run in the loop (the others await a timer or their end). */
  #inside = 0;
  #running = false;
  #deferred: (() => void)[] = [];
  #expiring = new Set<Expiring>();
  #nextDeadline = Infinity;
  #deadlinesCheckedAt = 0;
  #pacer = new Pacer();
  /** The timerfd that wakes the loop for the pacer's earliest lane, and when it is armed for. */
  #timer = -1;
  #armedFor = Infinity;
  #timerSpec = new Uint8Array(ITIMERSPEC_BYTES);
  #timerView = new DataView(this.#timerSpec.buffer);

  /**
   * @param libc The libc symbols ({@linkcode epollLibc}).
   */
  constructor(libc: LibcSymbols) {
    this.libc = libc;
  }

  /** A lane uses the loop: it runs (from the next microtask) until every lane released it. */
  hold(): void {
    this.#holds++;
    this.#open();
    if (!this.#running) {
      this.#running = true;
      queueMicrotask(() => this.#run());
    }
  }

  /** A lane's batches run in the loop's callbacks (it awaits nothing else) until it leaves. */
  enter(): void {
    this.#inside++;
    this.now = performance.now(); // it comes from outside the loop's turns
  }

  /** A lane waits outside the loop (a timer of the open model, its end). */
  leave(): void {
    this.#inside--;
  }

  /** A lane is done with the loop. */
  release(): void {
    this.#holds--;
    this.#closeIfUnused();
  }

  /**
   * Registers a socket for `events`.
   *
   * @throws {Error} The errno of `epoll_ctl` (the caller closes the fd).
   */
  add(fd: number, events: number, socket: EpollSocket): void {
    this.#open();
    this.#control(EPOLL_CTL_ADD, fd, events);
    this.#sockets[fd] = socket;
    this.#registered++;
  }

  /** Changes the events a registered socket waits for. */
  modify(fd: number, events: number): void {
    this.#control(EPOLL_CTL_MOD, fd, events);
  }

  /** Unregisters a socket (before closing its fd). */
  remove(fd: number): void {
    if (this.#sockets[fd] === undefined) return;
    this.#sockets[fd] = undefined;
    this.#registered--;
    for (let i = this.#dispatched + 1; i < this.#dispatching; i++) {
      const at = i * EPOLL_EVENT_BYTES;
      if (this.#eventsView.getUint32(at + EPOLL_DATA_OFFSET, true) === fd) {
        this.#eventsView.setUint32(at, 0, true);
      }
    }
    if (this.#ep >= 0) this.libc.epoll_ctl(this.#ep, EPOLL_CTL_DEL, fd, this.#ctl);
    this.#closeIfUnused();
  }

  /**
   * A length as `send` takes it (a bigint), made once per distinct length.
   *
   * @param length A byte count.
   * @returns The same count as a bigint.
   */
  lengthOf(length: number): bigint {
    let big = this.#lengths.get(length);
    if (big === undefined) this.#lengths.set(length, big = BigInt(length));
    return big;
  }

  /** Runs `work` on the loop's next turn (an end found synchronously, told asynchronously). */
  defer(work: () => void): void {
    this.#deferred.push(work);
  }

  /** Watches a deadline until {@linkcode EpollLoop.unwatch} or its expiry. */
  watch(item: Expiring): void {
    this.#expiring.add(item);
    if (item.deadline < this.#nextDeadline) this.#nextDeadline = item.deadline;
  }

  /** Stops watching a deadline. */
  unwatch(item: Expiring): void {
    this.#expiring.delete(item);
  }

  /** A lane waits (inside the loop) until its `dueAt`: the loop calls its `onDue` then. */
  pace(item: Paced): void {
    this.#pacer.add(item);
    if (item.dueAt < this.#armedFor) this.#arm();
  }

  /** Closes every socket and the epoll fd at once, telling no one (the worker is stopping). */
  shutdown(): void {
    for (const socket of this.#sockets) socket?.abandon();
    this.#sockets = [];
    this.#registered = 0;
    this.#expiring.clear();
    this.#pacer.clear();
    this.#deferred = [];
    this.#holds = 0;
    this.#inside = 0;
    this.#closeIfUnused();
  }

  #open(): void {
    if (this.#ep >= 0) return;
    this.#ep = this.libc.epoll_create1(EPOLL_CLOEXEC);
    if (this.#ep < 0) throw errnoError(errno(), "epoll_create1");
    this.#timer = this.libc.timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (this.#timer < 0) {
      const error = errnoError(errno(), "timerfd_create");
      this.#closeIfUnused(true);
      throw error;
    }
    // Not a socket: its readiness only wakes `epoll_wait`; each turn fires what is due.
    this.#control(EPOLL_CTL_ADD, this.#timer, EPOLLIN);
    this.#armedFor = Infinity;
  }

  #closeIfUnused(force = false): void {
    if (!force && (this.#holds > 0 || this.#registered > 0)) return;
    if (this.#timer >= 0) this.libc.close(this.#timer);
    if (this.#ep >= 0) this.libc.close(this.#ep);
    this.#timer = this.#ep = -1;
  }

  /**
   * Arms the timerfd for the pacer's earliest lane (relative, to the nanosecond), or disarms it
   * when none waits; either clears an expiry it had, so it stops being readable.
   */
  #arm(): void {
    const at = this.#pacer.earliest;
    this.#armedFor = at;
    if (this.#timer < 0) return;
    const view = this.#timerView;
    let ns = 0;
    if (at !== Infinity) ns = Math.max(1, Math.round((at - performance.now()) * 1e6));
    const seconds = Math.floor(ns / 1e9);
    view.setUint32(16, seconds, true); // it_value.tv_sec (the interval stays 0: one shot)
    view.setUint32(24, ns - seconds * 1e9, true); // it_value.tv_nsec
    this.libc.timerfd_settime(this.#timer, 0, this.#timerSpec, null);
  }

  #control(op: number, fd: number, events: number): void {
    this.#ctlView.setUint32(0, events, true);
    this.#ctlView.setUint32(EPOLL_DATA_OFFSET, fd, true);
    this.#ctlView.setUint32(EPOLL_DATA_OFFSET + 4, 0, true);
    if (this.libc.epoll_ctl(this.#ep, op, fd, this.#ctl) < 0) {
      throw errnoError(errno(), "epoll_ctl");
    }
  }

  /**
   * The loop: synchronous batches for at most a slice, then a yield. While every lane is inside
   * the loop, it waits for sockets and the pacer's timerfd in `epoll_wait` itself, 1 ms at a
   * time, as wrk does. It yields at once while requests are in flight; when none is (every lane
   * waits for its send time, or some lane is outside), it waits on another thread, until 1 ms
   * before the pacer's earliest lane (then waits for it in `epoll_wait`, to be on time).
   */
  async #run(): Promise<void> {
    try {
      while (this.#holds > 0 && this.#ep >= 0) {
        const sliceEnd = performance.now() + SLICE_MS;
        let ready = 0;
        while (true) {
          const block = this.#mayBlock(sliceEnd);
          ready = this.#turn(block ? 1 : 0);
          if (ready === 0 && !block && this.#deferred.length === 0) break;
          if (this.now >= sliceEnd || this.#ep < 0) break;
        }
        if (this.#holds === 0 || this.#ep < 0) break;
        // Yield: wait for a socket on another thread (0 ms when busy): timers, messages and the
        // lanes' promises run meanwhile.
        const inFlight = this.#inside === this.#holds && this.#inside > this.#pacer.size;
        const busy = ready > 0 || this.#deferred.length > 0 || inFlight;
        const now = performance.now();
        const untilDeadline = Math.ceil(this.#nextDeadline - now);
        const untilPaced = Math.floor(this.#pacer.earliest - now) - 1;
        const wait = busy ? 0 : Math.max(0, Math.min(IDLE_WAIT_MS, untilDeadline, untilPaced));
        await this.libc.epoll_wait_async(this.#ep, this.#waitEvents, 1, wait);
      }
    } finally {
      this.#running = false;
    }
  }

  /**
   * Whether a turn may wait in `epoll_wait` on this thread: every lane is inside the loop, nothing
   * is deferred, and a request is in flight or a lane is due before the slice ends.
   */
  #mayBlock(sliceEnd: number): boolean {
    if (this.#inside !== this.#holds || this.#deferred.length > 0) return false;
    return this.#inside > this.#pacer.size || this.#pacer.earliest < sliceEnd;
  }

  /** One turn: deferred work, ready sockets (waiting up to `waitMs`), passed deadlines. */
  #turn(waitMs: number): number {
    const deferred = this.#deferred;
    if (deferred.length) {
      this.#deferred = [];
      for (const work of deferred) work();
    }
    if (this.#ep < 0) return 0;
    const ready = this.libc.epoll_wait(this.#ep, this.#events, MAX_EVENTS, waitMs);
    const now = this.now = performance.now();
    // Lanes whose send time has come go first (their lateness is what the pacer is judged on).
    if (this.#pacer.earliest <= now) this.#pacer.fireDue(now);
    if (this.#armedFor <= now || this.#pacer.earliest < this.#armedFor) this.#arm();
    this.#dispatching = ready;
    for (let i = 0; i < ready; i++) {
      this.#dispatched = i;
      const at = i * EPOLL_EVENT_BYTES;
      const events = this.#eventsView.getUint32(at, true);
      if (events === 0) continue; // its socket was closed earlier in this turn
      this.#sockets[this.#eventsView.getUint32(at + EPOLL_DATA_OFFSET, true)]?.onEvents(events);
    }
    this.#dispatching = 0;
    if (now >= this.#nextDeadline && now - this.#deadlinesCheckedAt >= DEADLINE_CHECK_MS) {
      this.#expire(now);
    }
    return ready;
  }

  #expire(now: number): void {
    this.#deadlinesCheckedAt = now;
    let next = Infinity;
    for (const item of this.#expiring) {
      if (item.deadline <= now) {
        this.#expiring.delete(item);
        item.expire();
      } else if (item.deadline < next) next = item.deadline;
    }
    this.#nextDeadline = next;
  }
}
