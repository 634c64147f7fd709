// One writer for the --json of an exploration, a shrink search and a merge
// (explore/json_output.ts): stdout for --json -, else the file (said on stderr), else nothing.
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeJsonOutput } from "../../explore/json_output.ts";

function captureIo() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) },
    out,
    err,
  };
}

Deno.test("writeJsonOutput: --json - to stdout, --json PATH to the file and says so, else nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wedge-json-output-" });
  try {
    const toStdout = captureIo();
    await writeJsonOutput("{}\n", { jsonToStdout: true, jsonPath: null }, toStdout.io);
    assert.deepEqual([toStdout.out, toStdout.err], [["{}\n"], []]);

    const path = join(dir, "x.json");
    const toFile = captureIo();
    await writeJsonOutput("{}\n", { jsonPath: path }, toFile.io);
    assert.equal(await Deno.readTextFile(path), "{}\n");
    assert.deepEqual([toFile.out, toFile.err], [[], [`wedge: JSON written to ${path}\n`]]);

    const none = captureIo();
    await writeJsonOutput("{}\n", {}, none.io);
    assert.deepEqual([none.out, none.err], [[], []]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
