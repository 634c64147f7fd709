/**
 * The host's settings that decide how many connections a load test can open: the ephemeral port
 * range, TIME_WAIT reuse, the FIN timeout, and the open-files limit. Read from Linux's `/proc`;
 * `null` where unknown. Observes only.
 *
 * @module
 */

import type { HostSettings } from "../report/readings.ts";
export type { HostSettings };

import { fdLimit } from "./process_probe.ts";

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
