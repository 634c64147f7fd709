/**
 * How wedge tells that a command server is ready: a line on its stdout, a connection to its port,
 * or a response from a URL, and only when the command's own process group holds the listener.
 * Private to the command server (`command_server.ts`).
 *
 * @module
 */

import { lastLines } from "../system/child_output.ts";
import { portOwnership, socketHolders } from "../system/port_owner.ts";
import type { ReadySpec } from "../scenario/schema.ts";

const STDOUT_WINDOW_CHARS = 64 * 1024;

/** A bounded window of a command's stdout, scanned for the ready pattern until it matches. */
export interface StdoutWatch {
  /** Sees every chunk of stdout. */
  onChunk(chunk: Uint8Array): void;
  /** True once the pattern matched (always false for another kind of readiness). */
  readonly matched: boolean;
  /** Resolves when the pattern matches. */
  readonly seen: Promise<void>;
  /** The last lines of stdout seen while waiting. */
  tail(lines: number): string;
}

/**
 * Watches stdout for `ready.pattern` (when `ready.kind` is `"stdout"`).
 *
 * @param ready How the command is known to be ready.
 * @returns The watch.
 *
 * @example
 * ```ts
 * import { watchStdout } from "./_ready_probe.ts";
 * import assert from "node:assert/strict";
 *
 * const watch = watchStdout({ kind: "stdout", pattern: /listening/ });
 * watch.onChunk(new TextEncoder().encode("listening on 8000\n"));
 * assert.equal(watch.matched, true);
 * ```
 */
export function watchStdout(ready: ReadySpec): StdoutWatch {
  const pattern = ready.kind === "stdout"
    ? new RegExp(ready.pattern.source, ready.pattern.flags.replace(/[gy]/g, ""))
    : null;
  const decoder = new TextDecoder();
  let text = "";
  let matched = false;
  let onMatch = () => {};
  const seen = new Promise<void>((resolve) => (onMatch = resolve));
  return {
    onChunk(chunk) {
      if (!pattern || matched) return;
      text = (text + decoder.decode(chunk, { stream: true })).slice(-STDOUT_WINDOW_CHARS);
      if (pattern.test(text)) {
        matched = true;
        onMatch();
      }
    },
    get matched() {
      return matched;
    },
    seen,
    tail: (lines) => lastLines(text, { lines, chars: 4096 }),
  };
}

/** Where the command is expected to listen. */
export interface ReadyTarget {
  /** The address it listens on. */
  hostname: string;
  /** The port wedge picked. */
  port: number;
  /** Its process group (its leader's pid). */
  pid: number;
  /** `ready.url` with `{port}` replaced (empty unless `ready.kind` is `"url"`). */
  readyUrl: string;
}

/** Probes one kind of readiness. */
export interface ReadyProbe {
  /** Whether the command is ready now (a URL probe gives up after `timeoutMs`). */
  probe(timeoutMs: number): Promise<boolean>;
  /** Names what holds the port when it is not the command (empty when nothing else does). */
  foreignListener(): string;
  /** Closes the probe's HTTP client. */
  close(): void;
}

function urlOnPort(readyUrl: string, port: number): boolean {
  try {
    const parsed = new URL(readyUrl);
    const urlPort = parsed.port || (parsed.protocol === "https:" ? "443" : "80");
    return Number(urlPort) === port;
  } catch {
    return false;
  }
}

function describeHolders(inodes: number[]): string {
  const holders = socketHolders(inodes);
  if (holders.length === 0) return "a process wedge cannot see";
  return holders.map((h) => {
    const shown = h.command.length > 80 ? `${h.command.slice(0, 77)}...` : h.command;
    return `pid ${h.pid} (${shown})`;
  }).join(", ");
}

/**
 * A probe for `ready` (port or url; a stdout match is the {@linkcode StdoutWatch}'s). A
 * listener counts only when the command's group holds it.
 *
 * @param ready How the command is known to be ready.
 * @param target Where it listens, and its process group.
 * @returns The probe; close it when done.
 *
 * @example
 * ```ts ignore
 * const probe = readyProbe(ready, { hostname, port, pid, readyUrl });
 * const ready = await probe.probe(1000);
 * probe.close();
 * ```
 */
export function readyProbe(ready: ReadySpec, target: ReadyTarget): ReadyProbe {
  const { hostname, port, pid, readyUrl } = target;
  // Its own client, closed afterwards: no pooled connection to the server stays open.
  const client = ready.kind === "url" ? Deno.createHttpClient({}) : null;
  // A url on the picked port is answered by whoever listens there: the listener must be the
  // command's too.
  const onPort = ready.kind === "url" && urlOnPort(readyUrl, port);
  // Set when the port answered but no process of the command's group holds its listener.
  let foreignSeen = false;

  /** Whether the command's group holds the listener (true when /proc cannot tell). */
  function ownsPort(): boolean {
    const seen = portOwnership(port, { leader: pid, hostname });
    if (seen === null || seen.owned) return true;
    if (seen.foreignInodes.length > 0) foreignSeen = true;
    return false;
  }

  async function probePort(): Promise<boolean> {
    // The listener's holder first, then a connection: a command that exits on its first
    // connection has listened all the same, and a foreign listener never counts.
    if (!ownsPort()) return false;
    try {
      (await Deno.connect({ hostname, port })).close();
    } catch {
      return false;
    }
    return true;
  }

  async function probeUrl(timeoutMs: number): Promise<boolean> {
    try {
      const signal = AbortSignal.timeout(timeoutMs);
      const response = await fetch(readyUrl, { client: client!, signal });
      await response.body?.cancel();
      return onPort ? ownsPort() : true;
    } catch {
      return false;
    }
  }

  function foreignListener(): string {
    const seen = portOwnership(port, { leader: pid, hostname });
    if (seen === null || seen.foreignInodes.length === 0) {
      return foreignSeen
        ? `\nAnother process listened on ${hostname}:${port} while wedge waited; it did not ` +
          "count as the command being ready."
        : "";
    }
    return `\nPort ${port} on ${hostname} is held by another process, not by the command: ` +
      `${describeHolders(seen.foreignInodes)}. It took the port after wedge picked it; wedge ` +
      "counts only a listener of the command's own process group as ready. Run again, or stop " +
      "that process.";
  }

  return {
    probe: (timeoutMs) =>
      ready.kind === "port"
        ? probePort()
        : ready.kind === "url"
        ? probeUrl(timeoutMs)
        : Promise.resolve(false),
    foreignListener,
    close: () => client?.close(),
  };
}
