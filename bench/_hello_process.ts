// Starts a server in its own process (the way peer load tools are pointed at the same servers
// wedge loads) and reads the URL it prints as its first line of stdout.
import { fileURLToPath } from "node:url";

/** A server running in a child process. */
export interface HelloProcess {
  /** Its base URL. */
  url: string;
  /** Stops it (SIGTERM) and waits until it has exited. */
  stop(): Promise<void>;
}

/** Starts one hello server (bench/hello_server.ts) for at most `forSeconds`, speaking `protocol`. */
export function startHelloProcess(
  options: { forSeconds: number; protocol?: "h1" | "h2" },
): Promise<HelloProcess> {
  return startUrlProcess(Deno.execPath(), [
    "run",
    "-A",
    "bench/hello_server.ts",
    "--count",
    "1",
    "--for",
    `${options.forSeconds}s`,
    "--protocol",
    options.protocol ?? "h1",
  ]);
}

/**
 * Starts `program args` from the repository root and waits (at most 30 s) for the URL it prints
 * as its first line of stdout; a server that exits first, or is too slow, is stopped and reaped.
 */
export async function startUrlProcess(program: string, args: string[]): Promise<HelloProcess> {
  const server = new Deno.Command(program, {
    args,
    cwd: fileURLToPath(new URL("../", import.meta.url)),
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const stop = async () => {
    try {
      server.kill("SIGTERM");
    } catch { /* already gone */ }
    await server.stdout.cancel().catch(() => {});
    await server.status;
  };
  try {
    const reader = server.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = "";
    const deadline = setTimeout(() => {
      try {
        server.kill("SIGKILL");
      } catch { /* already gone */ }
    }, 30_000);
    try {
      while (!buffered.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`${program} ${args.join(" ")} exited before printing its URL`);
        buffered += value;
      }
    } finally {
      clearTimeout(deadline);
    }
    reader.releaseLock();
    return { url: buffered.split("\n")[0].trim(), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
