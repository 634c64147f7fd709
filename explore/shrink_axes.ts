/**
 * Which params `--shrink` may change, and how, read from the scenario's params schema: integers
 * and other numbers, durations (`"30s"`) and sizes (`"2MiB"`) shrink toward the schema minimum
 * (or the default when there is none); booleans and enums only with `--shrink-all`, toward their
 * default.
 *
 * @module
 */

import { z } from "zod";
import { parseByteSize } from "../units/byte_size.ts";
import { parseDuration } from "../units/duration.ts";
import type { NumericAxis, ShrinkAxis, ShrinkValue } from "./shrink.ts";

/** Options for {@linkcode shrinkAxes}. */
export interface ShrinkAxesOptions {
  /** Also booleans and enums (`--shrink-all`). @default {false} */
  all?: boolean;
}

interface FieldSchema {
  type?: string | string[];
  enum?: unknown[];
  minimum?: number;
  exclusiveMinimum?: number;
  default?: unknown;
}

/**
 * The axes of a scenario's params, given the values the search starts from.
 *
 * @param schema The scenario's params schema.
 * @param start The resolved params the search starts from (defaults and `--set` values).
 * @param options `all`: booleans and enums too.
 * @returns One axis per param that can shrink, in declaration order.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { shrinkAxes } from "./shrink_axes.ts";
 * import assert from "node:assert/strict";
 *
 * const schema = z.object({ nservers: z.number().int().positive().default(4) });
 * const [axis] = shrinkAxes(schema, { nservers: 40 });
 * assert.equal(axis.kind === "numeric" && axis.floor, 1);
 * ```
 */
export function shrinkAxes(
  schema: z.ZodObject,
  start: Record<string, unknown>,
  options: ShrinkAxesOptions = {},
): ShrinkAxis[] {
  const axes: ShrinkAxis[] = [];
  for (const [name, field] of Object.entries(schema.shape)) {
    const json = fieldSchema(field as z.ZodType);
    const value = start[name];
    const axis = typeof value === "number"
      ? numberAxis(name, value, json)
      : typeof value === "string" && !json.enum
      ? unitAxis(name, value, json)
      : options.all
      ? choiceAxis(name, value, json)
      : null;
    if (axis) axes.push(axis);
  }
  return axes;
}

function fieldSchema(field: z.ZodType): FieldSchema {
  try {
    return z.toJSONSchema(field, { unrepresentable: "any", io: "input" }) as FieldSchema;
  } catch {
    return {};
  }
}

const finite = (n: unknown): n is number =>
  typeof n === "number" && Math.abs(n) < Number.MAX_SAFE_INTEGER;

/** An integer or other number: floor is the minimum, else the default. */
function numberAxis(name: string, value: number, json: FieldSchema): NumericAxis | null {
  const integer = json.type === "integer" ||
    (Array.isArray(json.type) && json.type.includes("integer"));
  let floor: number | null = finite(json.minimum) ? json.minimum : null;
  if (floor === null && finite(json.exclusiveMinimum)) {
    floor = json.exclusiveMinimum + (integer ? 1 : (value - json.exclusiveMinimum) / 64);
  }
  if (floor === null && typeof json.default === "number") floor = json.default;
  if (floor === null || floor >= value) return null;
  const step = integer ? 1 : (value - floor) / 64;
  return { kind: "numeric", name, floor, step, read: Number, write: (n) => n };
}

/** A duration or size written with a unit: floor is the default (strings have no minimum). */
function unitAxis(name: string, value: string, json: FieldSchema): NumericAxis | null {
  const units = [[parseDuration, writeMs, 10], [parseByteSize, writeBytes, 2]] as const;
  for (const [parse, write, base] of units) {
    const current = attempt(parse, value);
    if (current === null) continue;
    const floor = json.default === undefined ? null : attempt(parse, json.default as string);
    if (floor === null || floor >= current) return null;
    const step = resolution(current - floor, base);
    return { kind: "numeric", name, floor, step, read: (v) => parse(v as string), write };
  }
  return null;
}

function attempt(parse: (v: string) => number, value: string): number | null {
  try {
    return parse(value);
  } catch {
    return null;
  }
}

/** A power of ten (of two for sizes) near a fiftieth of the span: a bisection of 6-9 probes. */
function resolution(span: number, base: number): number {
  return Math.max(1, base ** Math.floor(Math.log(span / 50) / Math.log(base)));
}

function writeMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function writeBytes(bytes: number): string {
  if (bytes > 0 && bytes % 1024 ** 2 === 0) return `${bytes / 1024 ** 2}MiB`;
  if (bytes > 0 && bytes % 1024 === 0) return `${bytes / 1024}KiB`;
  return `${bytes}B`;
}

/** A boolean or enum (`--shrink-all`): its default, else false or the first choice. */
function choiceAxis(name: string, value: unknown, json: FieldSchema): ShrinkAxis | null {
  const simplest = json.default !== undefined
    ? json.default
    : typeof value === "boolean"
    ? false
    : json.enum?.[0];
  const simple = typeof simplest === "boolean" || typeof simplest === "string" ||
    typeof simplest === "number";
  if (!simple || simplest === value) return null;
  return { kind: "choice", name, simpler: [simplest as ShrinkValue] };
}
