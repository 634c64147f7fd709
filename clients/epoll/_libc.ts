/**
 * The libc symbols the epoll engine calls (opened by `system/libc.ts`), declared once, with the
 * Linux constants and struct layouts they need, and errno as an error whose message names it. Every
 * call is synchronous (one FFI call, no promise) except `epoll_wait_async`, which waits on another
 * thread so the worker's event loop stays free while nothing is ready.
 *
 * `send`/`recv` return `ssize_t`; they are declared `i32` (the low half of the register): the
 * engine never asks for more than its 64 KiB buffer, and -1 stays -1.
 *
 * @module
 */

import { type LibcSymbols as Symbols, type OpenedLibc, openLibc } from "../../system/libc.ts";

const SYMBOLS = {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  connect: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  send: { parameters: ["i32", "buffer", "usize", "i32"], result: "i32" },
  recv: { parameters: ["i32", "buffer", "usize", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
  epoll_create1: { parameters: ["i32"], result: "i32" },
  epoll_ctl: { parameters: ["i32", "i32", "i32", "buffer"], result: "i32" },
  epoll_wait: { parameters: ["i32", "buffer", "i32", "i32"], result: "i32" },
  epoll_wait_async: {
    name: "epoll_wait",
    parameters: ["i32", "buffer", "i32", "i32"],
    result: "i32",
    nonblocking: true,
  },
  timerfd_create: { parameters: ["i32", "i32"], result: "i32" },
  timerfd_settime: { parameters: ["i32", "i32", "buffer", "buffer"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const satisfies Deno.ForeignLibraryInterface;

/** The libc functions the engine calls. */
export type LibcSymbols = Symbols<typeof SYMBOLS>;

/** Socket and epoll constants (Linux, the same on x86_64 and aarch64). */
export const AF_INET = 2;
export const SOCK_STREAM = 1;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;
export const SOL_SOCKET = 1;
export const SO_ERROR = 4;
export const IPPROTO_TCP = 6;
export const TCP_NODELAY = 1;
export const MSG_DONTWAIT = 0x40;
export const MSG_NOSIGNAL = 0x4000;
export const EPOLL_CLOEXEC = 0o2000000;
export const EPOLL_CTL_ADD = 1;
export const EPOLL_CTL_DEL = 2;
export const EPOLL_CTL_MOD = 3;
export const EPOLLIN = 0x1;
export const EPOLLOUT = 0x4;
export const EPOLLERR = 0x8;
export const EPOLLHUP = 0x10;
export const EPOLLRDHUP = 0x2000;
export const CLOCK_MONOTONIC = 1;
export const TFD_NONBLOCK = 0o4000;
export const TFD_CLOEXEC = 0o2000000;
/** `struct itimerspec`: interval then value, each `{ tv_sec, tv_nsec }` as 64-bit integers. */
export const ITIMERSPEC_BYTES = 32;
/** errno values the engine acts on. */
export const EINTR = 4;
export const EAGAIN = 11;
export const EINPROGRESS = 115;

/** `struct epoll_event`: packed (12 bytes, data at 4) on x86_64, 16 bytes (data at 8) elsewhere. */
export const EPOLL_EVENT_BYTES = Deno.build.arch === "x86_64" ? 12 : 16;
/** Where `data` (the fd, here) sits in a `struct epoll_event`. */
export const EPOLL_DATA_OFFSET = Deno.build.arch === "x86_64" ? 4 : 8;

/** errno names and texts (as Rust's `io::Error` prints them) the report classes by. */
const ERRNO: Record<number, [string, string]> = {
  4: ["EINTR", "Interrupted system call"],
  11: ["EAGAIN", "Resource temporarily unavailable"],
  23: ["ENFILE", "Too many open files in system"],
  24: ["EMFILE", "Too many open files"],
  32: ["EPIPE", "Broken pipe"],
  98: ["EADDRINUSE", "Address in use"],
  99: ["EADDRNOTAVAIL", "Cannot assign requested address"],
  101: ["ENETUNREACH", "Network is unreachable"],
  104: ["ECONNRESET", "Connection reset by peer"],
  107: ["ENOTCONN", "Transport endpoint is not connected"],
  110: ["ETIMEDOUT", "Connection timed out"],
  111: ["ECONNREFUSED", "Connection refused"],
  113: ["EHOSTUNREACH", "No route to host"],
};

/**
 * errno values that mean a socket call failed for real. Any other value after a -1 (errno read
 * back through FFI was seen clobbered once, ENOENT after a non-blocking `connect`) is taken as "not
 * yet" (EAGAIN, EINPROGRESS): level-triggered epoll reports the socket again and the next call,
 * or `SO_ERROR`, tells the truth.
 */
const FAILURES = new Set([1, 12, 13, 23, 24, 32, 98, 99, 101, 103, 104, 105, 107, 110, 111, 113]);

/**
 * Whether an errno after a socket call's -1 is a failure (not EAGAIN, EINTR, EINPROGRESS or an
 * unexpected value, all of which mean "try again when epoll says so").
 *
 * @param code The errno value.
 * @returns True for a real failure.
 *
 * @example
 * ```ts
 * import { isFailure } from "./_libc.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(isFailure(111), true); // ECONNREFUSED
 * assert.equal(isFailure(11), false); // EAGAIN
 * ```
 */
export function isFailure(code: number): boolean {
  return FAILURES.has(code);
}

/** This thread's errno (`__errno_location()`), read once libc is open. */
let errnoView: Deno.UnsafePointerView | null = null;

/**
 * libc for the epoll engine, opened once per thread (worker) by `system/libc.ts`, or why it
 * cannot be (not Linux, no `--allow-ffi`, `dlopen` refused): the engine then falls back to
 * `Deno.connect` (`raw-deno`).
 *
 * @returns `{ symbols, problem: null }`, or `{ symbols: null, problem }`.
 *
 * @example
 * ```ts ignore
 * const libc = epollLibc().symbols;
 * if (libc) libc.close(fd);
 * ```
 */
export function epollLibc(): OpenedLibc<typeof SYMBOLS> {
  const libc = openLibc(SYMBOLS);
  if (libc.symbols !== null && errnoView === null) {
    const where = libc.symbols.__errno_location();
    if (where === null) {
      return { symbols: null, problem: { kind: "dlopen", message: "found no errno in libc" } };
    }
    errnoView = new Deno.UnsafePointerView(where);
  }
  return libc;
}

/**
 * This thread's errno, right after a libc call that returned -1.
 *
 * @returns The errno value.
 *
 * @example
 * ```ts ignore
 * if (libc.connect(fd, address, 16) < 0 && errno() !== EINPROGRESS) throw errnoError(errno(), "connect");
 * ```
 */
export function errno(): number {
  return errnoView!.getInt32(0);
}

/**
 * An errno as an error whose message says what failed, the errno's text, number and name
 * (`connect: Connection refused (os error 111, ECONNREFUSED)`), which the report classes.
 *
 * @param code The errno value.
 * @param call The libc call that failed.
 * @returns The error.
 *
 * @example
 * ```ts
 * import { errnoError } from "./_libc.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(errnoError(104, "recv").message, "recv: Connection reset by peer (os error 104, ECONNRESET)");
 * ```
 */
export function errnoError(code: number, call: string): Error {
  const [name, text] = ERRNO[code] ?? [`errno ${code}`, "System error"];
  return new Error(`${call}: ${text} (os error ${code}, ${name})`);
}

/**
 * A `struct sockaddr_in` for an IPv4 address and port (16 bytes: family, port big-endian,
 * address, zeros).
 *
 * @param ip A dotted IPv4 address.
 * @param port The port (0: any, to bind a source address).
 * @returns The struct's bytes.
 *
 * @example
 * ```ts
 * import { sockaddrIn } from "./_libc.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual([...sockaddrIn("127.0.0.1", 8080).subarray(0, 8)], [2, 0, 31, 144, 127, 0, 0, 1]);
 * ```
 */
export function sockaddrIn(ip: string, port: number): Uint8Array {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, AF_INET, true);
  view.setUint16(2, port, false);
  ip.split(".").forEach((part, i) => bytes[4 + i] = Number(part));
  return bytes;
}
