/**
 * What the peers print, parsed into one shape: req/s, p99, and what errors they counted.
 *
 * @module
 */

import type { CpuWindow } from "./_cpu.ts";

/** One measurement: req/s and p99 in ms. */
export interface Sample {
  /** Requests a second. */
  rps: number;
  /** p99 latency, ms. */
  p99ms: number;
  /** Anything worth keeping next to the figures (errors a tool counted). */
  note?: string;
  /** Generator CPU (user + system) per request over the middle of the load, us; NaN unknown. */
  cpuUsPerRequest?: number;
}

/**
 * CPU per request, us, of a window at `rps`; NaN when the window is unknown.
 *
 * @param cpu The window.
 * @param rps Requests a second over it.
 * @returns Microseconds of CPU a request.
 *
 * @example
 * ```ts
 * import { cpuPerRequest } from "./_tool_output.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(cpuPerRequest({ cpuSeconds: 1, seconds: 2 }, 100_000), 5);
 * ```
 */
export function cpuPerRequest(cpu: CpuWindow | null, rps: number): number {
  return cpu && rps > 0 ? (cpu.cpuSeconds * 1e6) / (rps * cpu.seconds) : NaN;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses `wrk --latency` output.
 *
 * @param text What wrk printed.
 * @returns The sample.
 * @throws {Error} When the output has no rate or p99.
 *
 * @example
 * ```ts
 * import { parseWrk } from "./_tool_output.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseWrk("  99%    1.50ms\nRequests/sec: 1000.5\n"), { rps: 1000.5, p99ms: 1.5 });
 * ```
 */
export function parseWrk(text: string): Sample {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1]);
  const p99 = /^\s*99%\s+([\d.]+)(us|ms|s|m|h)\s*$/m.exec(text);
  if (!Number.isFinite(rps) || !p99) throw new Error(`cannot parse wrk output:\n${text}`);
  const errors = /Socket errors:.*|Non-2xx or 3xx responses:.*/g;
  const notes = text.match(errors);
  return {
    rps,
    p99ms: Number(p99[1]) * UNIT_MS[p99[2]],
    ...(notes ? { note: notes.join("; ") } : {}),
  };
}

/**
 * Parses hey's summary.
 *
 * @param text What hey printed.
 * @returns The sample.
 * @throws {Error} When the output has no rate.
 *
 * @example
 * ```ts
 * import { parseHey } from "./_tool_output.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parseHey("Requests/sec: 900\n  99% in 0.0020 secs\n").p99ms, 2);
 * ```
 */
export function parseHey(text: string): Sample {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1]);
  const p99 = Number(/99%+ in ([\d.]+) secs/.exec(text)?.[1]) * 1000;
  if (!Number.isFinite(rps)) throw new Error(`cannot parse hey output:\n${text}`);
  const errors = /Error distribution:[\s\S]*/.exec(text)?.[0].trim();
  return { rps, p99ms: p99, ...(errors ? { note: errors.replace(/\s+/g, " ") } : {}) };
}

/**
 * Parses `autocannon -j` output.
 *
 * @param text What autocannon printed.
 * @returns The sample.
 * @throws {Error} When the output has no rate.
 *
 * @example
 * ```ts
 * import { parseAutocannon } from "./_tool_output.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parseAutocannon('{"requests":{"average":5},"latency":{"p99":3}}').rps, 5);
 * ```
 */
export function parseAutocannon(text: string): Sample {
  const json = JSON.parse(text.slice(text.indexOf("{")));
  const rps = Number(json.requests?.average);
  const p99ms = Number(json.latency?.p99);
  if (!Number.isFinite(rps)) throw new Error(`cannot parse autocannon output:\n${text}`);
  const note = json.errors || json.timeouts || json.non2xx
    ? `errors ${json.errors}, timeouts ${json.timeouts}, non2xx ${json.non2xx}`
    : undefined;
  return { rps, p99ms, ...(note ? { note } : {}) };
}
