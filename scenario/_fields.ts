/**
 * Field schemas shared by the scenario's parts: whole numbers, durations, loopback addresses.
 * Internal to `scenario/`.
 *
 * @module
 */

import { z } from "zod";
import { parseDuration } from "../units/duration.ts";
import { unknownFieldsError } from "./unknown_fields.ts";

/** A whole number of at least 1, with one message for every way it is not. */
export function positiveInt(what = "a positive integer") {
  return z.number({ error: `expected ${what}` }).int({ error: `expected ${what}` }).min(1, {
    error: `expected ${what}`,
  });
}

/**
 * Whether a URL that matched a pattern really parses (`http://127.0.0.1:99999/` matches
 * `:\d+` but has no such port). `{port}` stands for a port wedge picks.
 */
export function parsesAsUrl(url: string): boolean {
  return URL.canParse(url.replaceAll("{port}", "1"));
}

/** Whether every part of a dotted IPv4 address is 0-255 (a name or an IPv6 address has none). */
export function octetsInRange(address: string): boolean {
  return !/^\d+(\.\d+){3}$/.test(address) || address.split(".").every((p) => Number(p) <= 255);
}

/** The longest duration timers can wait (2^31 - 1 ms, about 24.8 days). */
export const MAX_DURATION_MS = 2_147_483_647;

/** A duration field: `"250ms"`, `"5s"` or milliseconds; becomes milliseconds. */
export const durationSchema: z.ZodType<number, number | string> = z.union([
  z.number(),
  z.string(),
], {
  error: 'expected a duration such as "250ms" or "5s"',
}).transform((value, ctx) => {
  try {
    const ms = parseDuration(value);
    if (ms > MAX_DURATION_MS) {
      ctx.issues.push({
        code: "custom",
        input: value,
        message: "expected a duration up to 24 days (timers cannot wait longer)",
      });
      return z.NEVER;
    }
    return ms;
  } catch {
    ctx.issues.push({
      code: "custom",
      input: value,
      message: 'expected a duration such as "250ms", "5s" or a number of milliseconds',
    });
    return z.NEVER;
  }
});

// Servers bind 127.0.0.1, so client source addresses must be IPv4 loopback too.
export const LOOPBACK = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/**
 * The fields a command fleet has whether its programs are servers or clients: a name, the program
 * and its arguments (`notArray` and `empty`: the messages when they are not), variables added to
 * its environment, and its working directory. Each fleet's schema places them among its own.
 */
export function commandFields(errors: { notArray: string; empty: string }) {
  return {
    name: z.string().min(1).optional(),
    command: z.array(z.string(), { error: errors.notArray }).min(1, { error: errors.empty }),
    env: z.record(z.string(), z.string()).default({}),
    cwd: z.string().min(1).optional(),
  };
}

/**
 * A schema that validates a value with the schema `pick` chooses by the keys the value has (a
 * fleet with a `command` is a program, ...), reporting that schema's issues at the same paths.
 * `keepCodes`: each issue is kept whole; otherwise each becomes a custom issue with its message,
 * but for an unknown field, kept whole so it is reported at its own path and worded as everywhere
 * (`unknown_fields.ts`).
 */
export function byKeys<S extends z.ZodType>(
  pick: (has: (key: string) => boolean) => S,
  options: { keepCodes: boolean },
) {
  return z.unknown().transform((value, ctx): z.output<S> => {
    const has = (key: string) => typeof value === "object" && value !== null && key in value;
    const parsed = pick(has).safeParse(value, { error: unknownFieldsError });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        ctx.issues.push(
          options.keepCodes || issue.code === "unrecognized_keys"
            ? { ...issue, input: value } as never
            : { code: "custom", input: value, path: issue.path, message: issue.message },
        );
      }
      return z.NEVER;
    }
    return parsed.data;
  });
}
