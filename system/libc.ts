/**
 * libc through `Deno.dlopen`, opened in one place for every user (the raw engine's epoll loop,
 * the netlink socket census). Each user declares its own symbol table once; {@linkcode openLibc}
 * opens libc for it lazily, once per thread (a worker opens its own), and caches the answer,
 * symbols or the reason there are none. The FFI permission is asked first
 * (`Deno.permissions.querySync`): without `--allow-ffi` the answer is a reason, never a prompt
 * on a terminal, never a thrown `NotCapable`. Each caller keeps its own fallback (the epoll
 * engine runs as `raw-deno`, the census reads `/proc`).
 *
 * @module
 */

/** The symbols of a libc opened with a symbol table. */
export type LibcSymbols<S extends Deno.ForeignLibraryInterface> = Deno.DynamicLibrary<S>["symbols"];

/** Why libc cannot be used: another system, no FFI permission, or `dlopen` failed. */
export type LibcProblemKind = "os" | "permission" | "dlopen";

/** Why libc cannot be used here, in words that follow a subject ("needs --allow-ffi (or -A)"). */
export interface LibcProblem {
  kind: LibcProblemKind;
  /** What it needs or what failed, e.g. `needs --allow-ffi (or -A)`. */
  message: string;
}

/** libc opened with a symbol table, or why it could not be. */
export type OpenedLibc<S extends Deno.ForeignLibraryInterface> =
  | { symbols: LibcSymbols<S>; problem: null }
  | { symbols: null; problem: LibcProblem };

/** The library's file name (glibc on Linux). */
const LIBC = "libc.so.6";

/** Each symbol table's answer, opened once per thread. */
const opened = new Map<Deno.ForeignLibraryInterface, OpenedLibc<Deno.ForeignLibraryInterface>>();

/**
 * libc with a symbol table, opened the first time this thread asks for that table (the same
 * object) and cached, or why it cannot be: not Linux, `--allow-ffi` not granted (asked, never
 * prompted for), or `dlopen` refused. Never throws.
 *
 * @param symbols The symbol table (declared once, at its user's module level).
 * @returns `{ symbols, problem: null }`, or `{ symbols: null, problem }`.
 *
 * @example
 * ```ts
 * import { openLibc } from "./libc.ts";
 * import assert from "node:assert/strict";
 *
 * const SYMBOLS = { getpid: { parameters: [], result: "i32" } } as const;
 * const libc = openLibc(SYMBOLS);
 * if (libc.symbols) assert.equal(libc.symbols.getpid(), Deno.pid);
 * else assert.match(libc.problem.message, /needs|could not/);
 * ```
 */
export function openLibc<const S extends Deno.ForeignLibraryInterface>(
  symbols: S,
): OpenedLibc<S> {
  let libc = opened.get(symbols) as OpenedLibc<S> | undefined;
  if (libc === undefined) {
    const problem = libcProblem();
    libc = problem === null ? dlopen(symbols) : { symbols: null, problem };
    opened.set(symbols, libc as OpenedLibc<Deno.ForeignLibraryInterface>);
  }
  return libc;
}

/**
 * Why libc cannot be opened here before trying (the system, the FFI permission), or null. Asks
 * the permission without prompting.
 *
 * @returns The problem, or null when `dlopen` may be tried.
 *
 * @example
 * ```ts
 * import { libcProblem } from "./libc.ts";
 *
 * const problem = libcProblem(); // null under -A on Linux
 * if (problem) console.log(`the census ${problem.message}`);
 * ```
 */
export function libcProblem(): LibcProblem | null {
  if (Deno.build.os !== "linux") {
    return { kind: "os", message: `needs Linux (this is ${Deno.build.os})` };
  }
  let granted = false;
  try {
    granted = Deno.permissions.querySync({ name: "ffi" }).state === "granted";
  } catch {
    // No permissions API here (an embedder): taken as not granted.
  }
  if (!granted) {
    return { kind: "permission", message: "needs --allow-ffi (or -A)" };
  }
  return null;
}

function dlopen<S extends Deno.ForeignLibraryInterface>(symbols: S): OpenedLibc<S> {
  try {
    return { symbols: Deno.dlopen(LIBC, symbols).symbols, problem: null };
  } catch (error) {
    const why = (error as Error)?.message ?? String(error);
    return {
      symbols: null,
      problem: { kind: "dlopen", message: `could not open ${LIBC}: ${why}` },
    };
  }
}
