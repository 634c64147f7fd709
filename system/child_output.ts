/**
 * What a child process writes: copied to a log file chunk by chunk, or read line by line. Shared
 * by the user's server commands, the server hosts, and a server host reading the runtime.
 *
 * @module
 */

/**
 * Writes every byte (a file's `write` may take only part of them).
 *
 * @param file The file.
 * @param bytes What to write.
 *
 * @example
 * ```ts
 * import { writeAll } from "./child_output.ts";
 *
 * const path = await Deno.makeTempFile();
 * const file = await Deno.open(path, { write: true });
 * await writeAll(file, new TextEncoder().encode("hello\n"));
 * file.close();
 * await Deno.remove(path);
 * ```
 */
export async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.length;) offset += await file.write(bytes.subarray(offset));
}

/**
 * Copies a pipe to a file chunk by chunk, handing each chunk to `onChunk` too, and closes the
 * file at the end. A failing log file (disk full) stops the copy, not the reading: a pipe nobody
 * reads would block the process that writes it. Never rejects.
 *
 * @param reader The pipe.
 * @param file The log file (closed at the end).
 * @param onChunk Sees every chunk (e.g. to keep a tail).
 *
 * @example
 * ```ts
 * import { copyToFile } from "./child_output.ts";
 *
 * const path = await Deno.makeTempFile();
 * const pipe = new Blob(["a line\n"]).stream().getReader();
 * await copyToFile(pipe, await Deno.open(path, { write: true }), () => {});
 * await Deno.remove(path);
 * ```
 */
export async function copyToFile(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  file: Deno.FsFile,
  onChunk: (chunk: Uint8Array) => void,
): Promise<void> {
  let writable = true;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      if (writable) {
        try {
          await writeAll(file, value);
        } catch {
          writable = false;
        }
      }
      onChunk(value);
    }
  } catch {
    // The pipe broke (or was cancelled): nothing more to copy.
  } finally {
    file.close();
  }
}

/**
 * Calls `onLine` for each line a reader yields, in order (without its newline), until the stream
 * ends or `onLine` returns `"stop"`.
 *
 * @param reader The byte stream.
 * @param onLine Handles one line; returning `"stop"` ends the reading.
 *
 * @example
 * ```ts
 * import { readLines } from "./child_output.ts";
 * import assert from "node:assert/strict";
 *
 * const lines: string[] = [];
 * await readLines(new Blob(["a\nb\nc"]).stream().getReader(), (line) => {
 *   lines.push(line);
 * });
 * assert.deepEqual(lines, ["a", "b", "c"]);
 * ```
 */
export async function readLines(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  onLine: (line: string) => void | "stop" | Promise<void | "stop">,
): Promise<void> {
  const decoder = new TextDecoder();
  let buffered = "";
  while (true) {
    const { value, done } = await reader.read();
    if (done) break;
    buffered += decoder.decode(value, { stream: true });
    let newline: number;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (await onLine(line) === "stop") return;
    }
  }
  if (buffered) await onLine(buffered);
}
