/**
 * Describes behaviours in a few words for reports ("hang (every 50th request), else hello 200").
 * Pure.
 *
 * @module
 */

import { formatByteSize } from "../units/byte_size.ts";
import type { ResolvedBehavior, ResolvedSelector } from "./schema.ts";

/**
 * Describes a behaviour in a few words, for reports.
 *
 * @param behavior The validated behaviour.
 * @param options `port`: the port a command server was given, to fill `{port}` in its command
 *   (else `{port}` is shown as written).
 * @returns E.g. `delay 5ms..20ms, then hello 200`.
 *
 * @example
 * ```ts
 * import { describeBehavior } from "./describe_behavior.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(describeBehavior({ kind: "hello", status: 200, body: "", headers: {} }), "hello 200");
 * ```
 */
export function describeBehavior(
  behavior: ResolvedBehavior,
  options: { port?: number | null } = {},
): string {
  switch (behavior.kind) {
    case "hello":
      return `hello ${behavior.status}`;
    case "delay": {
      if (behavior.meanMs !== null) {
        return `delay exponential mean ${behavior.meanMs}ms, then ${
          describeBehavior(behavior.then)
        }`;
      }
      const latency = behavior.minMs === behavior.maxMs
        ? `${behavior.minMs}ms`
        : `${behavior.minMs}ms..${behavior.maxMs}ms`;
      return `delay ${latency}, then ${describeBehavior(behavior.then)}`;
    }
    case "handler":
      return "user handler";
    case "hang":
      return `hang (${describeSelector(behavior.select)}), else ${describeBehavior(behavior.then)}`;
    case "closeMidBody":
      return `close mid-body (${describeSelector(behavior.select)}), else ${
        describeBehavior(behavior.then)
      }`;
    case "resetAfterHeaders":
      return `reset after headers (${describeSelector(behavior.select)}), else ${
        describeBehavior(behavior.then)
      }`;
    case "serial":
      return `one connection at a time, ${describeBehavior(behavior.answer)}`;
    case "slowBody":
      return `slow body ${behavior.bodyBytes}B at ${behavior.bytesPerSecond}B/s`;
    case "leak":
      return `leak ${formatByteSize(behavior.bytesPerRequest)} per request, then ${
        describeBehavior(behavior.then)
      }`;
    case "external":
      return `already running at ${behavior.url}`;
    case "command":
      return `command ${
        behavior.argv.map((arg) =>
          quoteArg(options.port == null ? arg : arg.replaceAll("{port}", String(options.port)))
        ).join(" ")
      }`;
    case "stopAccepting":
      return `stop accepting after ${behavior.after} connections, then ${
        describeBehavior(behavior.then)
      }`;
    case "acceptSlowly":
      return `${
        behavior.perSecond === 0
          ? "accept at once"
          : `accept ${behavior.perSecond}/s after a burst of ${behavior.burst}`
      }, then ${describeBehavior(behavior.then)}`;
  }
}

function describeSelector(select: ResolvedSelector): string {
  const parts: string[] = [];
  if (select.every !== undefined) {
    parts.push(select.every === 0 ? "never" : `every ${ordinal(select.every)} request`);
  }
  if (select.after !== undefined) parts.push(`after ${select.after} requests`);
  if (select.probability !== undefined) parts.push(`with probability ${select.probability}`);
  return parts.length ? parts.join(", ") : "every request";
}

function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${["th", "st", "nd", "rd"][n % 10] ?? "th"}`;
}

function quoteArg(arg: string): string {
  return /^[\w@%+=:,./{}-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}
