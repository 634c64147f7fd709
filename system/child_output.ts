/**
 * What a child process writes: copied to a log file chunk by chunk or line by line, read line by
 * line, and its last lines for messages. Shared by the child-process supervisor
 * (`child_process.ts`) and a server host reading the runtime.
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

/**
 * Copies a pipe to a file line by line: each line goes to `onLine`, which returns what to write
 * for it (a newline is added) or null to write nothing. Closes the file at the end. A throwing
 * `onLine` or a failing write ends the copy. Never rejects.
 *
 * @param reader The pipe.
 * @param file The log file (closed at the end).
 * @param onLine Sees every line (without its newline); returns the text to log, or null.
 *
 * @example
 * ```ts
 * import { copyLinesToFile } from "./child_output.ts";
 * import assert from "node:assert/strict";
 *
 * const path = await Deno.makeTempFile();
 * const pipe = new Blob(["keep\n@@secret\n"]).stream().getReader();
 * await copyLinesToFile(pipe, await Deno.open(path, { write: true }), (line) =>
 *   line.startsWith("@@") ? null : line);
 * assert.equal(await Deno.readTextFile(path), "keep\n");
 * await Deno.remove(path);
 * ```
 */
export async function copyLinesToFile(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  file: Deno.FsFile,
  onLine: (line: string) => string | null,
): Promise<void> {
  const encoder = new TextEncoder();
  try {
    await readLines(reader, async (line) => {
      const text = onLine(line);
      if (text !== null) await writeAll(file, encoder.encode(text + "\n"));
    });
  } catch {
    // The pipe broke, the handler threw, or the log cannot be written: nothing more to copy.
  } finally {
    file.close();
  }
}

/**
 * The last lines of a text, at most `lines` of them and `chars` characters (`\r` dropped, the
 * final newline too): how a child's stderr is shown in messages and reports.
 *
 * @param text The text.
 * @param options `lines` (default 20) and `chars` (default 4096) bound the tail.
 * @returns The tail.
 *
 * @example
 * ```ts
 * import { lastLines } from "./child_output.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(lastLines("a\r\nb\nc\n", { lines: 2 }), "b\nc");
 * ```
 */
export function lastLines(text: string, options: { lines?: number; chars?: number } = {}): string {
  const { lines = 20, chars = 4096 } = options;
  const all = text.replace(/\r/g, "").split("\n");
  if (all.at(-1) === "") all.pop();
  const tail = all.slice(-lines).join("\n");
  return tail.length > chars ? tail.slice(-chars) : tail;
}
