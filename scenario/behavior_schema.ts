/**
 * A server's behaviour, declared once: the zod schema of what a scenario writes (a behaviour
 * value, a handler function, a Hono app), its shortcuts expanded in the transforms (durations in
 * ms, byte sizes in bytes, functions as `handler`), and the resolved types. The resolved union is
 * written by hand: zod cannot infer a recursive (`then`) schema's type.
 *
 * @module
 */

import { z } from "zod";
import { parseByteSize } from "../units/byte_size.ts";
import { durationSchema } from "./_fields.ts";
import type { RequestHandler } from "./behaviors.ts";
import { hello } from "./behaviors.ts";

/** Which requests a fault selects (see `FaultSelector`). */
export interface ResolvedSelector {
  /** Every Nth request; 0 = never. */
  every?: number;
  /** Only after the first N requests. */
  after?: number;
  /** With this probability. */
  probability?: number;
}

/** A behaviour after validation: durations in milliseconds, shortcuts expanded. */
export type ResolvedBehavior =
  | { kind: "hello"; status: number; body: string; headers: Record<string, string> }
  | {
    kind: "delay";
    minMs: number;
    maxMs: number;
    /** Mean of an exponential latency, or null for fixed/uniform between min and max. */
    meanMs: number | null;
    then: ResolvedBehavior;
  }
  | { kind: "handler"; fetch: RequestHandler }
  | { kind: "hang"; select: ResolvedSelector; then: ResolvedBehavior }
  | { kind: "closeMidBody"; select: ResolvedSelector; bodyBytes: number; then: ResolvedBehavior }
  | { kind: "resetAfterHeaders"; select: ResolvedSelector; then: ResolvedBehavior }
  | { kind: "slowBody"; bytesPerSecond: number; bodyBytes: number }
  | { kind: "stopAccepting"; after: number; then: ResolvedBehavior }
  | { kind: "acceptSlowly"; perSecond: number; burst: number; then: ResolvedBehavior }
  | {
    kind: "serial";
    answer: { kind: "hello"; status: number; body: string; headers: Record<string, string> };
  }
  | { kind: "leak"; bytesPerRequest: number; then: ResolvedBehavior }
  | CommandBehavior
  | { kind: "external"; url: string };

/**
 * A server that is the user's own program, started as a process: the whole of a command fleet's
 * behaviour (wedge does not see inside it).
 */
export interface CommandBehavior {
  /** Discriminant. */
  kind: "command";
  /** Program and arguments; `{port}` is replaced by the port wedge picked. */
  argv: string[];
  /** How wedge knows it is ready. */
  ready: ReadySpec;
  /** Environment added to wedge's own; `{port}` is replaced in values. */
  env: Record<string, string>;
  /** Working directory, or null for wedge's own. */
  cwd: string | null;
  /** How long it may take to become ready, ms. */
  readyTimeoutMs: number;
  /** How long it may take to exit after SIGTERM before SIGKILL, ms. */
  stopTimeoutMs: number;
}

/** How wedge knows a command server is ready. */
export type ReadySpec =
  /** A TCP connection to the server's address and port succeeds. */
  | { kind: "port" }
  /** A GET of `url` returns any HTTP response (`{port}` in it is replaced by the port). */
  | { kind: "url"; url: string }
  /** The process's stdout matches `pattern`. */
  | { kind: "stdout"; pattern: RegExp };

const NULL_BODY_STATUSES = [204, 205, 304];

function isFetchApp(value: unknown): value is { fetch: RequestHandler } {
  return typeof value === "object" && value !== null && !("kind" in value) &&
    typeof (value as { fetch?: unknown }).fetch === "function";
}

const selectorSchema = z.strictObject({
  every: z.number().int().min(0, { error: "expected a whole number >= 0 (0 = never)" }).optional(),
  after: z.number().int().min(0, { error: "expected a whole number >= 0" }).optional(),
  probability: z.number().min(0, { error: "expected a probability from 0 to 1" }).max(1, {
    error: "expected a probability from 0 to 1",
  }).optional(),
});

const bodyBytesSchema = z.number().int().min(0, { error: "expected a whole number of bytes" });

const helloSchema = z.strictObject({
  kind: z.literal("hello"),
  status: z.number().int().min(200, { error: "expected an HTTP status (200-599)" }).max(599, {
    error: "expected an HTTP status (200-599)",
  }),
  body: z.string(),
  headers: z.record(z.string(), z.string()),
}).superRefine((value, ctx) => {
  if (NULL_BODY_STATUSES.includes(value.status) && value.body !== "") {
    ctx.addIssue({
      code: "custom",
      path: ["body"],
      message:
        `a ${value.status} response has no body: use hello({ status: ${value.status}, body: "" })`,
    });
  }
});

/** A behaviour as written (a value, a handler function or a Hono app), validated and expanded. */
export const behaviorSchema: z.ZodType<ResolvedBehavior> = z.lazy(() =>
  z.preprocess(
    (value) => {
      if (value === undefined) return hello();
      if (typeof value === "function") return { kind: "handler", fetch: value };
      if (isFetchApp(value)) {
        const app = value;
        return {
          kind: "handler",
          fetch: (request: Request, info: unknown) =>
            (app.fetch as (r: Request, i: unknown) => Response)(request, info),
        };
      }
      return value;
    },
    z.discriminatedUnion("kind", [
      helloSchema,
      z.strictObject({
        kind: z.literal("delay"),
        latency: z.union([
          durationSchema,
          z.strictObject({ min: durationSchema, max: durationSchema }),
          z.strictObject({ exponential: durationSchema }),
        ], {
          error:
            'expected a latency: "20ms", { min: "5ms", max: "50ms" } or { exponential: "10ms" }',
        }),
        then: behaviorSchema,
      }).transform((value, ctx) => {
        const latency = value.latency;
        if (typeof latency === "object" && "exponential" in latency) {
          return {
            kind: "delay" as const,
            minMs: 0,
            maxMs: Infinity,
            meanMs: latency.exponential,
            then: value.then,
          };
        }
        const [minMs, maxMs] = typeof latency === "number"
          ? [latency, latency]
          : [latency.min, latency.max];
        if (maxMs < minMs) {
          ctx.issues.push({
            code: "custom",
            input: value,
            path: ["latency"],
            message: `expected min <= max, got min ${minMs}ms and max ${maxMs}ms`,
          });
        }
        return { kind: "delay" as const, minMs, maxMs, meanMs: null, then: value.then };
      }),
      z.strictObject({ kind: z.literal("hang"), select: selectorSchema, then: behaviorSchema }),
      z.strictObject({
        kind: z.literal("closeMidBody"),
        select: selectorSchema,
        bodyBytes: bodyBytesSchema.min(2, { error: "expected at least 2 bytes (half is sent)" }),
        then: behaviorSchema,
      }),
      z.strictObject({
        kind: z.literal("resetAfterHeaders"),
        select: selectorSchema,
        then: behaviorSchema,
      }),
      z.strictObject({
        kind: z.literal("slowBody"),
        bytesPerSecond: z.number().positive({ error: "expected a positive number of bytes/s" }),
        bodyBytes: bodyBytesSchema,
      }),
      z.strictObject({ kind: z.literal("serial"), answer: helloSchema }),
      z.strictObject({
        kind: z.literal("leak"),
        bytesPerRequest: z.union([z.number(), z.string()]),
        then: behaviorSchema,
      }).transform((value, ctx) => {
        let bytes = NaN;
        try {
          bytes = parseByteSize(value.bytesPerRequest);
        } catch { /* reported below */ }
        if (!(Number.isInteger(bytes) && bytes >= 1)) {
          ctx.issues.push({
            code: "custom",
            input: value.bytesPerRequest,
            path: ["bytesPerRequest"],
            message: 'expected a size of at least 1 byte, such as 4096 or "4KiB"',
          });
          return z.NEVER;
        }
        return { kind: "leak" as const, bytesPerRequest: bytes, then: value.then };
      }),
      z.strictObject({
        kind: z.literal("stopAccepting"),
        after: z.number().int().min(0, { error: "expected a whole number of connections >= 0" }),
        then: behaviorSchema,
      }),
      z.strictObject({
        kind: z.literal("acceptSlowly"),
        perSecond: z.number().min(0, {
          error: "expected connections per second >= 0 (0: no limit)",
        }).max(1e6, { error: "expected at most 1000000 connections per second" }),
        burst: z.number().int().min(1, { error: "expected a whole number of connections >= 1" }),
        then: behaviorSchema,
      }),
      z.strictObject({
        kind: z.literal("handler"),
        fetch: z.custom<RequestHandler>((v) => typeof v === "function", {
          error: "expected a function",
        }),
      }),
    ], {
      error:
        "expected a behaviour such as hello(), delay(...), hang(...) or handler(fn), a handler function or a Hono app",
    }),
  )
);

/**
 * Whether a behaviour is, or leads to, the user's code (`handler(...)`): code cannot travel to a
 * server host as data, so the host loads the scenario file for it.
 *
 * @param behavior A validated behaviour.
 * @returns True when a `handler` is in its chain.
 *
 * @example
 * ```ts
 * import { behaviorRunsCode } from "./behavior_schema.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(behaviorRunsCode({ kind: "hello", status: 200, body: "", headers: {} }), false);
 * ```
 */
export function behaviorRunsCode(behavior: ResolvedBehavior): boolean {
  if (behavior.kind === "handler") return true;
  return "then" in behavior ? behaviorRunsCode(behavior.then) : false;
}

/** Whether a listener-wide behaviour (`stopAccepting`, `acceptSlowly`, `serial`) sits inside another. */
export function nestedStopAccepting(behavior: ResolvedBehavior): boolean {
  let current: ResolvedBehavior | undefined = "then" in behavior ? behavior.then : undefined;
  while (current) {
    const kind = current.kind;
    if (kind === "stopAccepting" || kind === "acceptSlowly" || kind === "serial") return true;
    current = "then" in current ? current.then : undefined;
  }
  return false;
}
