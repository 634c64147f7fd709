import assert from "node:assert/strict";
import { Job } from "kubernetes-models/batch/v1";
import { parse } from "yaml";
import { k8sCommand } from "../../cli/k8s_command.ts";
import type { ExplorePlan } from "../../explore/cells.ts";
import { indexedJob } from "../../explore/k8s_job.ts";
import { UsageError } from "../../scenario/errors.ts";

const plan: ExplorePlan = {
  scenario: "hang-mre-ok",
  set: { nrequests: "20000" },
  sweep: [{ key: "nclients", values: ["5", "10"] }, { key: "concurrency", values: ["16", "64"] }],
  repeat: 3,
  seed: 9,
  sameSeed: false,
};

/** kubernetes-models' schema check of a Job manifest (throws what is wrong). */
function validateJob(manifest: unknown): void {
  new Job(manifest as ConstructorParameters<typeof Job>[0]).validate();
}

function captureIo() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      out: (t: string) => out.push(t),
      err: (t: string) => err.push(t),
      cwd: Deno.cwd(),
      tty: false,
      color: false,
    },
    out,
    err,
  };
}

Deno.test("indexedJob: a valid batch/v1 Job (kubernetes-models), Indexed, one completion per cell", () => {
  const job = indexedJob(plan, { image: "registry.local/wedge:1", parallelism: 4 });
  validateJob(job);
  assert.equal(job.spec.completionMode, "Indexed");
  assert.equal(job.spec.completions, 12);
  assert.equal(job.spec.parallelism, 4);
  const [container] = job.spec.template.spec.containers;
  assert.equal(container.image, "registry.local/wedge:1");
  assert.deepEqual(container.command.slice(4), [
    "hang-mre-ok",
    "--set",
    "nrequests=20000",
    "--sweep",
    "nclients=5,10",
    "--sweep",
    "concurrency=16,64",
    "--repeat",
    "3",
    "--seed",
    "9",
    "--cell",
    "env",
    "--json",
    "/results/cell-$(JOB_COMPLETION_INDEX).json",
    "--quiet",
  ]);
  assert.equal(
    job.spec.template.spec.volumes?.[0].persistentVolumeClaim.claimName,
    "wedge-results",
  );
});

Deno.test("indexedJob: the validator catches a broken manifest (so the test above can fail)", () => {
  const job = indexedJob(plan);
  const broken = { ...job, spec: { ...job.spec, completions: "12" as unknown as number } };
  assert.throws(() => validateJob(broken), /completions/);
});

Deno.test("indexedJob: results on stdout print the cell report, no volume", () => {
  const job = indexedJob(plan, { results: "stdout" });
  validateJob(job);
  const [container] = job.spec.template.spec.containers;
  assert.deepEqual(container.command.slice(-4), ["env", "--json", "-", "--quiet"]);
  assert.equal("volumes" in job.spec.template.spec, false);
});

Deno.test("wedge k8s prints the Job as YAML that parses back to a valid Job", async () => {
  const { io, out, err } = captureIo();
  const args = [
    "hang-mre-ok",
    "--sweep",
    "nclients=5,10",
    "--sweep",
    "concurrency=16,64",
    "--set",
    "nrequests=20000",
    "--parallelism",
    "2",
    "--image",
    "w:1",
  ];
  assert.equal(await k8sCommand(args, io), 0);
  const manifest = parse(out.join(""));
  validateJob(manifest);
  assert.equal(manifest.spec.completions, 4);
  assert.equal(manifest.spec.parallelism, 2);
  assert.ok(manifest.spec.template.spec.containers[0].command.includes("--seed"));
  assert.match(err.join(""), /4 cells/);
});

Deno.test("wedge k8s refuses a sweep value the scenario refuses, before printing anything", async () => {
  const { io, out } = captureIo();
  await assert.rejects(
    () => k8sCommand(["hang-mre-ok", "--sweep", "nclients=5,zero"], io),
    (e) =>
      e instanceof UsageError &&
      /--sweep nclients=5,zero: the value zero cannot be used/.test(e.message),
  );
  assert.deepEqual(out, []);
});
