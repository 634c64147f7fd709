import assert from "node:assert/strict";
import { copyToFile, readLines } from "../../system/child_output.ts";

Deno.test("copyToFile copies every chunk, shows each to onChunk, and closes the file", async () => {
  const path = await Deno.makeTempFile();
  const chunks = ["first line\n", "a line split ", "across chunks\n"];
  const seen: string[] = [];
  const pipe = ReadableStream.from(chunks.map((c) => new TextEncoder().encode(c))).getReader();
  await copyToFile(pipe, await Deno.open(path, { write: true }), (chunk) => {
    seen.push(new TextDecoder().decode(chunk));
  });
  assert.equal(await Deno.readTextFile(path), chunks.join(""));
  assert.deepEqual(seen, chunks);
  await Deno.remove(path);
});

Deno.test("readLines joins lines split across chunks and stops when told", async () => {
  const stream = () =>
    ReadableStream.from(["a\nb", "b\n", "c\nd"].map((c) => new TextEncoder().encode(c)))
      .getReader();
  const all: string[] = [];
  await readLines(stream(), (line) => {
    all.push(line);
  });
  assert.deepEqual(all, ["a", "bb", "c", "d"]);
  const some: string[] = [];
  await readLines(stream(), (line) => {
    some.push(line);
    return line === "bb" ? "stop" : undefined;
  });
  assert.deepEqual(some, ["a", "bb"]);
});
