// Starts bench/hello_server.ts in its own process (the way peer load tools are pointed at the same
// servers wedge loads) and reads the URL it prints.
import { fileURLToPath } from "node:url";

/** A hello server running in a child process. */
export interface HelloProcess {
  /** Its base URL. */
  url: string;
  /** Stops it (SIGTERM) and waits until it has exited. */
  stop(): Promise<void>;
}

/** Starts one hello server for at most `forSeconds`, speaking `protocol`. */
export async function startHelloProcess(
  options: { forSeconds: number; protocol?: "h1" | "h2" },
): Promise<HelloProcess> {
  const server = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "bench/hello_server.ts",
      "--count",
      "1",
      "--for",
      `${options.forSeconds}s`,
      "--protocol",
      options.protocol ?? "h1",
    ],
    cwd: fileURLToPath(new URL("../", import.meta.url)),
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
    while (!buffered.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error("the hello server exited before printing its URL");
      buffered += value;
    }
    reader.releaseLock();
    return { url: buffered.split("\n")[0].trim(), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
