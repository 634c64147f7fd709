/**
 * The explore flags of the run command, parsed in one place: `--repeat`, `--same-seed`,
 * `--until-fail`, `--pass-rate`, `--sweep`, `--cells`, `--cell` (and `--shrink` and its own
 * flags beside them). `cli/args.ts` spreads {@linkcode EXPLORE_OPTIONS} into its parser and hands
 * the values to {@linkcode parseExploreFlags}. Pure but for reading `JOB_COMPLETION_INDEX`.
 *
 * @module
 */

import { UsageError } from "../scenario/errors.ts";
import { parseFraction } from "../units/fraction.ts";
import { parseWholeNumber } from "../units/whole_number.ts";
import { flagValue } from "./flag_value.ts";
import {
  parseShrinkFlags,
  SHRINK_HELP,
  SHRINK_OPTIONS,
  type ShrinkFlags,
  type ShrinkFlagValues,
} from "./shrink_flags.ts";

/** One `--sweep KEY=V1,V2,...`: a param and the values it takes, in order. */
export interface SweepAxis {
  /** The param. */
  key: string;
  /** Its values, as `--set` takes them. */
  values: string[];
}

/** What the explore flags ask for; null from {@linkcode parseExploreFlags} means a plain run. */
export interface ExploreArgs {
  /** `--repeat K`: runs per cell. @default {1} */
  repeat: number;
  /** `--same-seed`: every run of a cell uses the base seed instead of seed, seed+1, ... */
  sameSeed: boolean;
  /** `--until-fail`: stop at the first failing run. */
  untilFail: boolean;
  /** `--pass-rate P`: exit 0 when at least this fraction (0-1) of runs passed; null: all must. */
  passRate: number | null;
  /** The `--sweep` axes, in the order given (the first varies slowest). */
  sweep: SweepAxis[];
  /** `--cells`: list the cells (index, params, seed) without running. */
  listCells: boolean;
  /** `--cell I` (or `--cell env`: JOB_COMPLETION_INDEX): run that cell only; null: all. */
  cell: number | null;
  /** `--shrink` and its flags (explore/shrink_flags.ts); null or absent without `--shrink`. */
  shrink?: ShrinkFlags | null;
}

/**
 * One run per cell, one cell: what an exploration is without `--repeat`, `--sweep` or any other
 * explore flag (`wedge k8s` of a plain run plans one pod).
 *
 * @example
 * ```ts
 * import { ONE_RUN } from "./flags.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(ONE_RUN.repeat, 1);
 * ```
 */
export const ONE_RUN: Readonly<ExploreArgs> = {
  repeat: 1,
  sameSeed: false,
  untilFail: false,
  passRate: null,
  sweep: [],
  listCells: false,
  cell: null,
  shrink: null,
};

/**
 * The explore flags for `node:util` `parseArgs`, to spread into the run command's options.
 *
 * @example
 * ```ts
 * import { EXPLORE_OPTIONS } from "./flags.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(EXPLORE_OPTIONS.sweep.multiple, true);
 * ```
 */
export const EXPLORE_OPTIONS = {
  repeat: { type: "string" },
  "same-seed": { type: "boolean", default: false },
  "until-fail": { type: "boolean", default: false },
  "pass-rate": { type: "string" },
  sweep: { type: "string", multiple: true, default: [] as string[] },
  cells: { type: "boolean", default: false },
  cell: { type: "string" },
  ...SHRINK_OPTIONS,
} as const;

/** The parsed values of {@linkcode EXPLORE_OPTIONS}. */
export interface ExploreFlagValues extends Omit<ShrinkFlagValues, "repeat"> {
  repeat?: string;
  "same-seed"?: boolean;
  "until-fail"?: boolean;
  "pass-rate"?: string;
  sweep?: string[];
  cells?: boolean;
  cell?: string;
}

/** The `--help` lines of the explore flags. */
export const EXPLORE_HELP = `Explore (each run in its own process; see docs/explore.md):
  --repeat K         run K times, seeds S, S+1, ... (S: --seed, else random); a line per run
                     and a summary: passed n of K, failure rate (95% Wilson interval), the
                     failing seeds and the command that replays each
  --same-seed        every run uses the --seed (S) itself
  --until-fail       stop at the first failing run
  --pass-rate P      exit 0 when at least P of the runs passed (0.9 or 90%), not only all
  --sweep K=V1,V2    run each value of param K (repeatable: the cartesian grid); values are
                     checked by the scenario before anything runs; a table, one row per cell,
                     and with two swept params a grid of pass rates
  --cells            list the cells (index, params, seed) of --repeat/--sweep; run nothing
  --cell I           run cell I only (I = env: JOB_COMPLETION_INDEX) and write its report to
                     --json, for wedge merge; see wedge k8s --help
${SHRINK_HELP}`;

/**
 * Validates the explore flags.
 *
 * @param values What `parseArgs` read for {@linkcode EXPLORE_OPTIONS}.
 * @returns The exploration asked for, or null when no explore flag was given (a plain run).
 * @throws {UsageError} Naming the flag and value that cannot be used.
 *
 * @example
 * ```ts
 * import { parseExploreFlags } from "./flags.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parseExploreFlags({}), null);
 * const args = parseExploreFlags({ repeat: "5", sweep: ["nclients=5,10"] });
 * assert.equal(args?.repeat, 5);
 * assert.deepEqual(args?.sweep, [{ key: "nclients", values: ["5", "10"] }]);
 * ```
 */
export function parseExploreFlags(values: ExploreFlagValues): ExploreArgs | null {
  const sweep = (values.sweep ?? []).map(parseSweep);
  const given = values.repeat !== undefined || sweep.length > 0 || values.cells === true ||
    values.cell !== undefined || values["same-seed"] === true ||
    values["until-fail"] === true || values["pass-rate"] !== undefined;
  const repeat = values.repeat === undefined
    ? undefined
    : flagValue("--repeat", values.repeat, parseRepeat);
  const shrink = parseShrinkFlags({ ...values, repeat });
  if (
    shrink && (sweep.length || values.cells || values.cell !== undefined ||
      values["same-seed"] || values["until-fail"] || values["pass-rate"] !== undefined)
  ) {
    throw new UsageError(
      "--shrink goes with --repeat, --fail-rate, --budget and --shrink-all only (not --sweep, --cells, --cell, --same-seed, --until-fail, --pass-rate)",
    );
  }
  if (!given && !shrink) return null;
  const keys = sweep.map((axis) => axis.key);
  const twice = keys.find((key, i) => keys.indexOf(key) !== i);
  if (twice) throw new UsageError(`--sweep ${twice}=...: given twice; list all its values once`);
  if (values.cells && values.cell !== undefined) {
    throw new UsageError("--cells lists the cells and --cell runs one: give one of them");
  }
  return {
    repeat: repeat ?? 1,
    sameSeed: values["same-seed"] === true,
    untilFail: values["until-fail"] === true,
    passRate: values["pass-rate"] === undefined
      ? null
      : flagValue("--pass-rate", values["pass-rate"], parseFraction),
    sweep,
    listCells: values.cells === true,
    cell: values.cell === undefined ? null : parseCellIndex(values.cell),
    shrink,
  };
}

/** `KEY=V1,V2,...` into an axis. */
function parseSweep(flag: string): SweepAxis {
  const eq = flag.indexOf("=");
  const key = flag.slice(0, eq).trim();
  const values = flag.slice(eq + 1).split(",").map((v) => v.trim());
  if (eq <= 0 || key === "" || values.some((v) => v === "")) {
    throw new UsageError(
      `--sweep ${flag}: expected KEY=V1,V2,... with no empty value, e.g. --sweep nclients=10,20,40`,
    );
  }
  const twice = values.find((v, i) => values.indexOf(v) !== i);
  if (twice) throw new UsageError(`--sweep ${flag}: the value ${twice} is given twice`);
  return { key, values };
}

/** `--repeat`: a whole number from 1 to 10000. */
function parseRepeat(text: string): number {
  return parseWholeNumber(text, { min: 1, max: 10_000 });
}

/** A cell index, or `env`: JOB_COMPLETION_INDEX (what a Kubernetes Indexed Job sets). */
function parseCellIndex(text: string): number {
  const fromEnv = text === "env";
  const value = fromEnv ? Deno.env.get("JOB_COMPLETION_INDEX") : text;
  const where = fromEnv
    ? `--cell env (JOB_COMPLETION_INDEX=${JSON.stringify(value ?? null)})`
    : `--cell ${JSON.stringify(text)}`;
  if (value === undefined || !/^\d+$/.test(value)) {
    throw new UsageError(`${where}: expected a cell index, a whole number from 0 (see --cells)`);
  }
  return Number(value);
}
