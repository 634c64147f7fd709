/**
 * A Kubernetes Indexed Job that runs the cells of an exploration, one pod per cell index
 * (`completionMode: Indexed`, `completions` = cells): each pod runs
 * `wedge SCENARIO <flags> --cell env --json ...`, its index from `JOB_COMPLETION_INDEX`; the
 * cell reports go to a volume (a PersistentVolumeClaim) or to stdout, for `wedge merge`. Pure: it
 * builds the manifest as an object.
 *
 * @module
 */

import { cellCount, type ExplorePlan } from "./cells.ts";

/** Options for {@linkcode indexedJob}. */
export interface IndexedJobOptions {
  /** The container image: Deno with wedge at `/wedge`. @default {"wedge:latest"} */
  image?: string;
  /** Pods at once. @default {min(cells, 10)} */
  parallelism?: number;
  /** The Job's name. @default {"wedge-" + the scenario's name} */
  name?: string;
  /**
   * Where each pod's cell report goes: `{ pvc: CLAIM }` writes `/results/cell-I.json` on that
   * PersistentVolumeClaim; `"stdout"` prints it as one JSON line (collect with `kubectl logs`).
   * @default {{ pvc: "wedge-results" }}
   */
  results?: { pvc: string } | "stdout";
  /** The `--pass-rate` to pass on, or null. @default {null} */
  passRate?: number | null;
}

/** The argv of a cell's pod after the program: the plan's flags, `--cell env` and `--json`. */
function cellArgs(plan: ExplorePlan, options: IndexedJobOptions): string[] {
  const args = [plan.scenario];
  for (const [k, v] of Object.entries(plan.set)) args.push("--set", `${k}=${v}`);
  for (const axis of plan.sweep) args.push("--sweep", `${axis.key}=${axis.values.join(",")}`);
  args.push("--repeat", String(plan.repeat), "--seed", String(plan.seed));
  if (plan.sameSeed) args.push("--same-seed");
  if (options.passRate != null) args.push("--pass-rate", String(options.passRate));
  const toStdout = options.results === "stdout";
  args.push(
    "--cell",
    "env",
    "--json",
    toStdout ? "-" : "/results/cell-$(JOB_COMPLETION_INDEX).json",
  );
  return [...args, "--quiet"];
}

/** A DNS-1123 label of at most 52 characters (room for the pods' suffixes). */
function jobName(scenario: string): string {
  const base = scenario.replace(/^.*\//, "").replace(/\.[mc]?[jt]s$/, "").toLowerCase();
  return `wedge-${base.replace(/[^a-z0-9-]+/g, "-")}`.slice(0, 52).replace(/-+$/, "");
}

/**
 * The Indexed Job of an exploration.
 *
 * @param plan The exploration (its seed fixed: every pod computes the same cells).
 * @param options Image, parallelism, name, where results go.
 * @returns The manifest (`apiVersion: batch/v1`, `kind: Job`).
 *
 * @example
 * ```ts
 * import { indexedJob } from "./k8s_job.ts";
 * import assert from "node:assert/strict";
 *
 * const plan = { scenario: "hang-mre-ok", set: {}, sweep: [{ key: "nclients", values: ["5", "10"] }], repeat: 3, seed: 1, sameSeed: false };
 * const job = indexedJob(plan, { parallelism: 2 });
 * assert.equal(job.spec.completions, 6);
 * assert.equal(job.spec.completionMode, "Indexed");
 * assert.ok(job.spec.template.spec.containers[0].command.includes("--cell"));
 * ```
 */
export function indexedJob(plan: ExplorePlan, options: IndexedJobOptions = {}) {
  const completions = cellCount(plan);
  const results = options.results ?? { pvc: "wedge-results" };
  const name = options.name ?? jobName(plan.scenario);
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, labels: { "app.kubernetes.io/name": "wedge" } },
    spec: {
      completionMode: "Indexed",
      completions,
      parallelism: options.parallelism ?? Math.min(completions, 10),
      // A failing assertion (exit 1) or an invalid scenario (2) fails its index at once: its
      // report is written and a retry would change nothing. Other failures retry once.
      backoffLimitPerIndex: 1,
      podFailurePolicy: {
        rules: [
          {
            action: "FailIndex",
            onExitCodes: { containerName: "wedge", operator: "In", values: [1, 2] },
          },
          { action: "Ignore", onPodConditions: [{ type: "DisruptionTarget", status: "True" }] },
        ],
      },
      template: {
        metadata: { labels: { "app.kubernetes.io/name": "wedge", "wedge/job": name } },
        spec: {
          restartPolicy: "Never",
          containers: [{
            name: "wedge",
            image: options.image ?? "wedge:latest",
            workingDir: "/wedge",
            command: [
              "deno",
              "run",
              "--allow-all",
              "/wedge/cli/main.ts",
              ...cellArgs(plan, options),
            ],
            env: [{
              name: "JOB_COMPLETION_INDEX",
              valueFrom: {
                fieldRef: {
                  fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']",
                },
              },
            }],
            ...(results === "stdout"
              ? {}
              : { volumeMounts: [{ name: "results", mountPath: "/results" }] }),
          }],
          ...(results === "stdout" ? {} : {
            volumes: [{ name: "results", persistentVolumeClaim: { claimName: results.pvc } }],
          }),
        },
      },
    },
  };
}
