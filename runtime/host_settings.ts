/**
 * The host's settings that decide how many connections a load test can open: the ephemeral port
 * range, TIME_WAIT reuse, the FIN timeout, and the open-files limit. Read from Linux's `/proc`;
 * `null` where unknown. Observes only.
 *
 * @module
 */

import { fdLimit } from "./process_probe.ts";

/** Connection-related settings of the host (or of the network namespace the run is in). */
export interface HostSettings {
  /** `net.ipv4.ip_local_port_range`, e.g. `[32768, 60999]`. */
  ephemeralPorts: [number, number] | null;
  /** `net.ipv4.tcp_tw_reuse`: 0 off, 1 on, 2 loopback only. */
  tcpTwReuse: number | null;
  /** `net.ipv4.tcp_fin_timeout`, seconds. */
  tcpFinTimeout: number | null;
  /** The soft open-files limit of this process (`ulimit -n`). */
  openFilesLimit: number | null;
}

function readNumbers(path: string): number[] | null {
  try {
    const values = Deno.readTextFileSync(path).trim().split(/\s+/).map(Number);
    return values.every(Number.isFinite) ? values : null;
  } catch {
    return null;
  }
}

/**
 * Reads the host's settings.
 *
 * @returns The settings, `null` for each one that cannot be read.
 *
 * @example
 * ```ts
 * import { readHostSettings } from "./host_settings.ts";
 *
 * const { ephemeralPorts, tcpTwReuse } = readHostSettings();
 * ```
 */
export function readHostSettings(): HostSettings {
  const range = readNumbers("/proc/sys/net/ipv4/ip_local_port_range");
  return {
    ephemeralPorts: range && range.length === 2 ? [range[0], range[1]] : null,
    tcpTwReuse: readNumbers("/proc/sys/net/ipv4/tcp_tw_reuse")?.[0] ?? null,
    tcpFinTimeout: readNumbers("/proc/sys/net/ipv4/tcp_fin_timeout")?.[0] ?? null,
    openFilesLimit: fdLimit("self"),
  };
}
