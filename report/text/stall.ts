/**
 * The stall diagnosis section of the text report: when progress stopped, where the requests are,
 * what the servers saw, the runtime's resources, and the hints. The live progress display prints
 * it too, as the stall is detected.
 *
 * @module
 */

import { formatByteSize } from "../../units/byte_size.ts";
import { formatDuration } from "../../units/duration.ts";
import type { StallDiagnosis } from "../types.ts";
import { known } from "./_format.ts";
import { renderCensus } from "./host.ts";

/**
 * Renders a stall diagnosis: when progress stopped, where the requests are, what the servers saw,
 * the runtime's resources, and one hint per recognised pattern.
 *
 * @param d The diagnosis.
 * @returns Lines of text, ending with a newline.
 *
 * @example
 * ```ts
 * import { diagnoseStall } from "../stall_diagnosis.ts";
 * import { renderStallDiagnosis } from "./stall.ts";
 * import assert from "node:assert/strict";
 *
 * const d = diagnoseStall({
 *   detectedAtMs: 7000, progressStoppedAtMs: 2000, boundMs: 5000,
 *   totals: { completed: 900, inFlight: 8, planned: 1000 },
 *   serverNames: ["hello[0]"], clientNames: ["c[0]"], inFlightByServer: [8],
 *   awaitingHeadersByServer: [8], inFlightByClient: [8],
 *   servers: [{ received: 908, responded: 900, failure: null }], oldest: [],
 *   process: { openFds: 30, fdLimit: 1024, rssBytes: null }, silentWorkers: [],
 *   sockets: null, serverPorts: [8080],
 * });
 * assert.match(renderStallDiagnosis(d), /^STALL: no request completed for 5\.00s/);
 * ```
 */
export function renderStallDiagnosis(d: StallDiagnosis): string {
  const lines: string[] = [];
  lines.push(
    `STALL: no ${d.progress === "responses" ? "response" : "request completed"} for ${
      formatDuration(d.detectedAtMs - d.progressStoppedAtMs)
    } (bound ${formatDuration(d.boundMs)}): progress stopped ${
      formatDuration(d.progressStoppedAtMs)
    } into the load, detected at ${formatDuration(d.detectedAtMs)}`,
  );
  lines.push(
    `  ${d.completed} done, ${known(d.owed)} owed (in flight or not yet sent), ${
      known(d.inFlight)
    } in flight`,
  );
  lines.push(...renderStalledServers(d));
  if (d.clients.length) {
    lines.push(
      `  in flight by client: ${
        d.clients.map((c) => `${c.client} ${known(c.inFlight)}`).join(", ")
      }`,
    );
  }
  if (d.oldest.length) {
    lines.push("  oldest in flight:");
    for (const r of d.oldest.slice(0, 5)) {
      // A silent worker's request: its age is known only as of that worker's last post.
      const asOf = r.asOf
        ? ` (as of worker ${r.asOf.worker}'s last post, ${
          formatDuration(d.detectedAtMs - r.asOf.atMs)
        } ago)`
        : "";
      lines.push(
        `    ${r.client} -> ${r.server}: ${formatDuration(r.ageMs)}, ${
          r.phase.replace("-", " ")
        }${asOf}`,
      );
    }
  }
  if (d.sockets) lines.push(`  sockets: ${renderCensus(d.sockets)}`);
  const p = d.process;
  lines.push(
    `  runtime: ${known(p.openFds)} open fds (limit ${known(p.fdLimit)}), RSS ${
      p.rssBytes === null ? "n/a" : formatByteSize(p.rssBytes)
    }`,
  );
  if (d.hints.length) {
    lines.push("  hints:");
    for (const hint of d.hints) lines.push(`    - ${hint}`);
  }
  return lines.join("\n") + "\n";
}

/** Each server as the stall found it: in flight, received and answered, its connections. */
function renderStalledServers(d: StallDiagnosis): string[] {
  if (!d.servers.length) return [];
  const lines = ["  servers (in flight as the clients see it; received / answered by the server):"];
  for (const s of d.servers) {
    const held = s.received !== null && s.responded !== null && s.received > s.responded
      ? ` (${s.received - s.responded} still in its handler)`
      : "";
    lines.push(
      `    ${s.server}: ${known(s.clientInFlight)} in flight; received ${
        known(s.received)
      }, answered ${known(s.responded)}${held}${
        s.connections
          ? `; ${s.connections.accepted} connections accepted, ${s.connections.acceptQueue} in its accept queue`
          : ""
      }${s.failure ? `; STOPPED: ${s.failure}` : ""}`,
    );
  }
  return lines;
}
