/**
 * `wedge k8s SCENARIO [run flags] [--image IMG] [--parallelism N] [--name NAME] [--results R]`:
 * prints a Kubernetes Indexed Job (YAML) that runs the cells of a `--sweep`/`--repeat`, one pod
 * per cell; `wedge merge` combines what they write.
 *
 * @module
 */

import { stringify } from "yaml";
import { cellCount } from "../explore/cells.ts";
import { flagValue } from "../explore/flag_value.ts";
import { ONE_RUN } from "../explore/flags.ts";
import { indexedJob, type IndexedJobOptions } from "../explore/k8s_job.ts";
import { DEFAULT_CELL_SEED, explorePlan } from "../explore/run_explore.ts";
import { validateSweep } from "../explore/validate_sweep.ts";
import { UsageError } from "../scenario/errors.ts";
import { loadScenario } from "../scenario/load.ts";
import { parseWholeNumber } from "../units/whole_number.ts";
import { resolveScenario } from "../scenario/resolve.ts";
import { parseCliArgs } from "./args.ts";
import { parseCommandArgs } from "./command_args.ts";
import { EXIT } from "./exit_codes.ts";
import type { CliIo } from "./output.ts";

/** The `wedge k8s --help` text. */
export const K8S_HELP =
  `Usage: wedge k8s NAME|PATH [--set ...] [--sweep K=V1,V2 ...] [--repeat K] [--seed S]
                 [--image IMG] [--parallelism N] [--name NAME] [--results pvc:CLAIM|stdout] > job.yaml

Prints a Kubernetes Indexed Job (completionMode Indexed, completions = the cells of the sweep and
repeat, as --cells lists them): pod I runs "wedge NAME ... --cell env --json ..." with I from
JOB_COMPLETION_INDEX. Collect the cell reports in one directory and run "wedge merge DIR".
The seed is fixed (--seed, default ${DEFAULT_CELL_SEED}) so that every pod computes the same cells.

Options:
  --image IMG        image with Deno and wedge at /wedge (default wedge:latest; see docs/explore.md)
  --parallelism N    pods at once (default: the cells, at most 10)
  --name NAME        the Job's name (default wedge-SCENARIO)
  --results R        pvc:CLAIM (default pvc:wedge-results): each pod writes /results/cell-I.json
                     on that PersistentVolumeClaim; stdout: each pod prints its cell report as
                     one JSON line (kubectl logs each pod into DIR/cell-I.log)
  -h, --help         show this help

A pod exits with its run's code: a failing assertion (1) fails its index without a retry, so
the Job ends Failed when a run failed, after every index ran.
`;

const K8S_OPTIONS = {
  image: { type: "string" },
  parallelism: { type: "string" },
  name: { type: "string" },
  results: { type: "string" },
} as const;

/**
 * Runs `wedge k8s`: validates the run flags and the sweep as a run would, then prints the Job.
 *
 * @param args The arguments after `k8s`.
 * @param io Where to write.
 * @returns The exit code (0).
 * @throws {UsageError} For bad usage or values the scenario refuses (exit 2 in main).
 *
 * @example
 * ```ts ignore
 * Deno.exitCode = await k8sCommand(["hang-mre-ok", "--sweep", "nclients=5,10"], defaultIo());
 * ```
 */
export async function k8sCommand(args: string[], io: CliIo): Promise<number> {
  const { mine, rest } = splitArgs(args);
  const line = parseCommandArgs(mine, { name: "k8s", options: K8S_OPTIONS, help: K8S_HELP }, io);
  if (!line) return EXIT.passed;
  const own = line.values;
  const parsed = await parseCliArgs(rest, { cwd: io.cwd });
  if (parsed.action !== "run") throw new UsageError("k8s: expected a scenario. See k8s --help.");
  const explore = parsed.explore ?? ONE_RUN;
  if (explore.listCells || explore.cell !== null) {
    throw new UsageError(
      "k8s: --cells and --cell are for the pods; give the sweep and repeat only",
    );
  }
  const { definition, file } = await loadScenario(parsed.scenario, { cwd: io.cwd });
  resolveScenario(definition, { set: parsed.set, file });
  const plan = explorePlan({ ...parsed, explore, seed: parsed.seed ?? DEFAULT_CELL_SEED });
  validateSweep(definition, plan, { file });
  const options: IndexedJobOptions = {
    image: own.image,
    name: own.name,
    parallelism: own.parallelism === undefined
      ? undefined
      : flagValue("--parallelism", own.parallelism, parseParallelism),
    results: parseResults(own.results),
    passRate: explore.passRate,
  };
  io.out(stringify(indexedJob(plan, options)));
  io.err(`wedge: ${cellCount(plan)} cells; collect their reports and run: wedge merge DIR\n`);
  return EXIT.passed;
}

/** The k8s flags (each with its value) and `--help`, and the rest (the run command's). */
function splitArgs(args: string[]): { mine: string[]; rest: string[] } {
  const flags = new Set(Object.keys(K8S_OPTIONS).map((k) => `--${k}`));
  const mine: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const flag = args[i].split("=")[0];
    if (flag === "--help" || flag === "-h") mine.push(args[i]);
    else if (!flags.has(flag)) rest.push(args[i]);
    else if (args[i].includes("=")) mine.push(args[i]);
    else mine.push(args[i], args[++i] ?? "");
  }
  return { mine, rest };
}

/** `--parallelism`: pods at once, at least 1. */
function parseParallelism(text: string): number {
  return parseWholeNumber(text, { min: 1 });
}

function parseResults(text: string | undefined): IndexedJobOptions["results"] {
  if (text === undefined) return undefined;
  if (text === "stdout") return "stdout";
  const claim = /^pvc:([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(text)?.[1];
  if (!claim) {
    throw new UsageError(
      `--results ${
        JSON.stringify(text)
      }: expected pvc:CLAIM (a PersistentVolumeClaim's name) or stdout`,
    );
  }
  return { pvc: claim };
}
