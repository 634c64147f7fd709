/**
 * The run's own network namespace: the CLI re-runs itself under `unshare --net`, brings loopback
 * up and sets the namespace's own `ip_local_port_range` and `tcp_tw_reuse`, so a port wall (seed
 * 003's ~16k ports on macOS) reproduces on Linux without touching the host.
 *
 * @module
 */

import { UsageError } from "../scenario/errors.ts";
import type { NetworkSpec, Scenario } from "../scenario/schema.ts";

/**
 * Set in the re-run process, inside the namespace, to the parent's network namespace (as
 * `/proc/self/ns/net` names it), so the child can check that it really is somewhere else.
 */
export const NAMESPACE_ENV = "WEDGE_NETNS";

/**
 * When set (to any value but "" or "0"), {@linkcode namespaceUnavailable} reports that no
 * namespace can be made, as on a host without root: tests use it to run the "no namespace" path
 * on any machine. Nothing else changes.
 *
 * @example
 * ```ts ignore
 * // WEDGE_NO_NETNS=1 deno task scenario port-exhaustion  -> exit 2, "cannot be made here"
 * Deno.env.set(NO_NAMESPACE_ENV, "1");
 * ```
 */
export const NO_NAMESPACE_ENV = "WEDGE_NO_NETNS";

function currentNetns(): string | null {
  try {
    return Deno.readLinkSync("/proc/self/ns/net");
  } catch {
    return null;
  }
}

/**
 * Tells whether this process was started by wedge to run in a namespace (whether or not that
 * worked). Such a process must never re-run itself again.
 *
 * @returns True when the mark is set.
 *
 * @example
 * ```ts
 * import { namespaceMarked } from "./network_namespace.ts";
 *
 * const marked = namespaceMarked();
 * ```
 */
export function namespaceMarked(): boolean {
  return Deno.env.get(NAMESPACE_ENV) !== undefined;
}

/**
 * Tells whether this process runs inside a namespace wedge made.
 *
 * @returns True inside.
 *
 * @example
 * ```ts
 * import { insideNamespace } from "./network_namespace.ts";
 *
 * const inside = insideNamespace();
 * ```
 */
export function insideNamespace(): boolean {
  const parent = Deno.env.get(NAMESPACE_ENV);
  if (parent === undefined) return false;
  // Trust the mark only if this process's network namespace really differs from its parent's.
  const own = currentNetns();
  return own !== null && own !== parent;
}

/**
 * Decides what a run does about its scenario's network namespace, the one place that checks it:
 * run here (no namespace asked, or already inside one wedge made), or enter one (only the CLI can:
 * it re-runs itself there).
 *
 * @param scenario The resolved scenario.
 * @param options `canEnter`: whether the caller can re-run itself in a namespace (the CLI).
 * @returns `"run"` to run in this process, `"enter"` to re-run inside a namespace first.
 * @throws {UsageError} If a namespace is asked for and the caller cannot enter one, or this
 *   process was already re-run to enter one and is not in it (never re-run again).
 *
 * @example
 * ```ts ignore
 * import { namespaceStep } from "./network_namespace.ts";
 *
 * if (namespaceStep(scenario, { canEnter: true }) === "enter") {
 *   // re-run in a namespace
 * }
 * ```
 */
export function namespaceStep(
  scenario: Scenario,
  options: { canEnter: boolean },
): "run" | "enter" {
  if (scenario.network === null || insideNamespace()) return "run";
  if (!options.canEnter) {
    throw new UsageError(
      `scenario "${scenario.name}" asks for a network namespace of its own: run it with the CLI (deno task scenario ${
        scenario.file ?? "<file>"
      }), which re-runs itself inside one`,
    );
  }
  if (namespaceMarked()) {
    // Started by wedge to run in a namespace, yet not in one: never re-run again (no recursion).
    throw new UsageError(
      `scenario "${scenario.name}" was re-run to enter a network namespace of its own, but this process shares its parent's network namespace; not running it`,
    );
  }
  return "enter";
}

/**
 * Builds the command that runs `command` in a fresh network namespace with the settings applied.
 *
 * @param network The namespace's settings.
 * @param command The program and its arguments.
 * @returns The full command line, `unshare` first.
 *
 * @example
 * ```ts
 * import { namespaceCommand } from "./network_namespace.ts";
 * import assert from "node:assert/strict";
 *
 * const argv = namespaceCommand({ ephemeralPorts: [50000, 50019], tcpTwReuse: 0 }, ["deno", "run", "x.ts"]);
 * assert.equal(argv[0], "unshare");
 * assert.match(argv[5], /50000 50019/);
 * ```
 */
export function namespaceCommand(network: NetworkSpec, command: readonly string[]): string[] {
  const steps = ["ip link set lo up"];
  if (network.ephemeralPorts) {
    const [low, high] = network.ephemeralPorts;
    steps.push(`echo "${low} ${high}" > /proc/sys/net/ipv4/ip_local_port_range`);
  }
  if (network.tcpTwReuse !== null) {
    steps.push(`echo ${network.tcpTwReuse} > /proc/sys/net/ipv4/tcp_tw_reuse`);
  }
  const script = `set -e; ${steps.join("; ")}; exec "$@"`;
  return ["unshare", "--net", "--", "sh", "-c", script, "wedge-netns", ...command];
}

async function commandWorks(program: string, args: string[]): Promise<boolean> {
  try {
    const { success } = await new Deno.Command(program, { args, stdout: "null", stderr: "null" })
      .output();
    return success;
  } catch {
    return false;
  }
}

/**
 * Says why a network namespace with these settings cannot be made here, or null when it can. It
 * runs the real setup (loopback up, sysctls written) with `true` as the command. Setting
 * {@linkcode NO_NAMESPACE_ENV} makes it answer "unavailable" without trying.
 *
 * @param network The namespace's settings.
 * @returns A reason such as "it needs root", or null.
 *
 * @example
 * ```ts
 * import { namespaceUnavailable } from "./network_namespace.ts";
 *
 * const reason = await namespaceUnavailable({ ephemeralPorts: [50000, 50019], tcpTwReuse: 0 });
 * ```
 */
export async function namespaceUnavailable(network: NetworkSpec): Promise<string | null> {
  const forced = Deno.env.get(NO_NAMESPACE_ENV);
  if (forced !== undefined && forced !== "" && forced !== "0") {
    return `${NO_NAMESPACE_ENV} is set (${JSON.stringify(forced)})`;
  }
  if (Deno.build.os !== "linux") {
    return `network namespaces are Linux only (this is ${Deno.build.os})`;
  }
  if (Deno.uid() !== 0) return "it needs root (unshare --net)";
  if (!(await commandWorks("unshare", ["--version"]))) {
    return "unshare(1) is not installed (util-linux)";
  }
  if (!(await commandWorks("ip", ["-V"]))) return "ip(8) is not installed (iproute2)";
  if (!(await commandWorks("unshare", ["--net", "--", "true"]))) {
    return "unshare --net is not permitted here (a container without CAP_SYS_ADMIN?)";
  }
  const [program, ...args] = namespaceCommand(network, ["true"]);
  try {
    const out = await new Deno.Command(program, { args, stdout: "null", stderr: "piped" }).output();
    if (!out.success) {
      return `setting up the namespace failed (loopback up, then ip_local_port_range and tcp_tw_reuse under /proc/sys; read-only in some containers): ${
        new TextDecoder().decode(out.stderr).trim() || `exit ${out.code}`
      }`;
    }
  } catch (error) {
    return `setting up the namespace failed: ${error}`;
  }
  return null;
}

/**
 * Runs `command` in a fresh network namespace, with stdio inherited, and returns its exit code.
 *
 * @param network The namespace's settings.
 * @param command The program and its arguments.
 * @returns The exit code.
 *
 * @example
 * ```ts ignore
 * const code = await runInNamespace(scenario.network, [Deno.execPath(), "run", "-A", "cli/main.ts", "stuck-16k"]);
 * ```
 */
export async function runInNamespace(
  network: NetworkSpec,
  command: readonly string[],
): Promise<number> {
  const [program, ...args] = namespaceCommand(network, command);
  const child = new Deno.Command(program, {
    args,
    env: { [NAMESPACE_ENV]: currentNetns() ?? "unknown" },
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  // Ctrl-C (or SIGTERM, SIGHUP, SIGQUIT) reaches the parent (and, from a terminal, the child
  // too): pass it on and wait, so the child prints its partial report, stops its server
  // processes, and nothing outlives the parent.
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"];
  const forwarders = signals.map((signal) => {
    const forward = () => {
      try {
        child.kill(signal);
      } catch { /* already gone */ }
    };
    Deno.addSignalListener(signal, forward);
    return () => Deno.removeSignalListener(signal, forward);
  });
  try {
    return (await child.status).code;
  } finally {
    for (const remove of forwarders) remove();
  }
}
