/**
 * What the HTML report draws: each chart as data and a few settings, handed to uPlot in the page.
 * Charts are built from the report in Deno (typed and tested); the page only configures uPlot
 * with them.
 *
 * @module
 */

/** How a chart's values read: on its y axis and in its legend. */
export type ChartUnit = "count" | "bytes" | "per-second" | "ms";

/** What a chart's x axis is. */
export type ChartAxis =
  /** Seconds since the load started; charts of this kind share the cursor and the zoom. */
  | "time"
  /** Memory checkpoints: 0 before the first load, then one per load. */
  | "round"
  /** Latency in ms (a histogram's bucket bounds). */
  | "latency"
  /** Percentile, 0-100 (a percentile curve). */
  | "percentile";

/** One line (or bar set) of a chart. */
export interface SeriesSpec {
  /** Legend label, e.g. `completed/s`. */
  label: string;
  /** CSS colour of the line. */
  color: string;
  /** Dashed: a limit or a baseline, not a measurement. */
  dashed?: boolean;
  /** Drawn as bars (a histogram). */
  bars?: boolean;
  /**
   * Draw across missing values: where two runs are overlaid, a null only means the other run
   * sampled there. Otherwise a null (unknown) leaves a gap.
   */
  spanGaps?: boolean;
}

/** One chart: series with data; what was unknown is named in `notes`, never drawn as 0. */
export interface ChartSpec {
  /** Element id, unique in the page, e.g. `fds`. */
  id: string;
  /** Heading above the chart. */
  title: string;
  /** What the x axis is. */
  axis: ChartAxis;
  /** What the y values are. */
  unit: ChartUnit;
  /** The series, in the order of `data[1..]`. */
  series: SeriesSpec[];
  /** `data[0]`: x values; `data[i]`: series i-1's values (null where unknown). */
  data: (number | null)[][];
  /** What the chart leaves out and why (e.g. `runtime fds: not measured`). */
  notes: string[];
  /** A logarithmic y axis: values far apart (20 fds against a limit of 20000) both show. */
  logScale?: boolean;
}

/** A vertical line at a moment of the run, drawn on every time chart. */
export interface MarkerSpec {
  /** Seconds since the load started. */
  atS: number;
  /** What happened, e.g. `servers (host) exited (code 1)`. */
  label: string;
}

/** A shaded span of the run (a stall), drawn on every time chart. */
export interface BandSpec {
  /** Start, seconds since the load started. */
  fromS: number;
  /** End, seconds since the load started. */
  toS: number;
  /** What it is, e.g. `stall: no request completed for 5.0s`. */
  label: string;
}

/** Everything the page's script reads. */
export interface PageCharts {
  /** Charts in page order. */
  charts: ChartSpec[];
  /** Markers of every time chart. */
  markers: MarkerSpec[];
  /** Shaded spans of every time chart. */
  bands: BandSpec[];
}

/** Colours for series, in order (readable on white, distinct for the first eight). */
export const PALETTE = [
  "#1f77b4",
  "#d62728",
  "#2ca02c",
  "#ff7f0e",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#17becf",
  "#7f7f7f",
  "#bcbd22",
] as const;

/**
 * The colour of the `i`-th series (the palette cycles).
 *
 * @param i Series index, from 0.
 * @returns A CSS colour.
 *
 * @example
 * ```ts
 * import { seriesColor, PALETTE } from "./chart_spec.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(seriesColor(PALETTE.length), PALETTE[0]);
 * ```
 */
export function seriesColor(i: number): string {
  return PALETTE[i % PALETTE.length];
}
