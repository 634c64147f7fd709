import assert from "node:assert/strict";
import { copyLinesToFile, copyToFile, lastLines, readLines } from "../../system/child_output.ts";

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

Deno.test("copyLinesToFile logs what onLine returns for each line, and nothing for null", async () => {
  const path = await Deno.makeTempFile();
  const pipe = ReadableStream.from(
    ["keep\n@@hid", "den\nbefore@@x\nlast"].map((c) => new TextEncoder().encode(c)),
  ).getReader();
  const seen: string[] = [];
  await copyLinesToFile(pipe, await Deno.open(path, { write: true }), (line) => {
    seen.push(line);
    const at = line.indexOf("@@");
    return at < 0 ? line : at > 0 ? line.slice(0, at) : null;
  });
  assert.deepEqual(seen, ["keep", "@@hidden", "before@@x", "last"]);
  assert.equal(await Deno.readTextFile(path), "keep\nbefore\nlast\n");
  await Deno.remove(path);
});

Deno.test("lastLines keeps the last lines within a character bound, without \\r or the final newline", () => {
  const text = Array.from({ length: 30 }, (_, i) => `line ${i + 1}\r`).join("\n") + "\n";
  const tail = lastLines(text);
  assert.equal(tail.split("\n").length, 20);
  assert.match(tail, /^line 11\nline 12\n[^]*line 30$/);
  assert.equal(lastLines("x".repeat(5000) + "end\n"), "x".repeat(4093) + "end");
  assert.equal(lastLines("a\nb\nc", { lines: 2, chars: 2 }), "\nc");
});
