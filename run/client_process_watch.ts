/**
 * Watches command client processes from the host and from wedge's servers, every 250 ms: each
 * process tree's RSS and fds, the TCP connections it holds to the run's servers (socket inodes of
 * `/proc/PID/fd` matched to `/proc/net/tcp`), the HTTP/2 streams the servers count on each of
 * those connections (matched by the client's port), and the requests the servers received. Each
 * process is judged against the servers it targets: a process that is alive, holds connections,
 * and whose target servers receive no new request for the stall bound is a stall, however busy
 * other clients keep other servers: diagnosed (`report/client_stall_diagnosis.ts`) with the
 * stalled processes and their targets, and handed to `onStall`. A process with a target wedge
 * cannot count in (a command or external server) has no known progress and is not judged.
 *
 * @module
 */

import type {
  ClientConnectionReport,
  ClientConnectionStreams,
  CommandClientStall,
} from "../report/types.ts";
import { fdLimit } from "../system/process_probe.ts";
import { readProcessTree } from "../system/proc_tree.ts";
import { type InodeSocket, readTcpByInode } from "../system/process_sockets.ts";
import { readTcpTable } from "../system/socket_census.ts";
import { diagnoseClientStall } from "../report/client_stall_diagnosis.ts";
import type { ClientProcess, CommandClients } from "./command_clients.ts";

const TICK_MS = 250;
const MAX_RSS_POINTS = 2000;

/** The servers' counts, as {@linkcode ClientWatchSources.serverCounts} gives them. */
type ServerCounts = ReturnType<ClientWatchSources["serverCounts"]>;

/** What wedge saw of one client process. */
export interface ClientSeen {
  /** Highest tree RSS seen, bytes. */
  peakRssBytes: number | null;
  /** Tree RSS over its life with its target servers' answered count. */
  rss: { atMs: number; rssBytes: number; answered: number | null }[];
  /** Most open fds of its tree. */
  peakOpenFds: number | null;
  /** Its latest open fds. */
  openFds: number | null;
  /** Its fd limit. */
  fdLimit: number | null;
  /** First-seen time (ms since the load started) by socket inode; null when never readable. */
  inodes: Map<number, number> | null;
  /** Its connections at its last sample. */
  connections: ClientConnectionReport[];
  /** Most HTTP/2 streams open at once on one of its connections, or null when none known. */
  peakStreamsOnOneConnection: number | null;
}

/** What the watch reads. */
export interface ClientWatchSources {
  /** The run's command clients. */
  clients: CommandClients;
  /** The ports of the run's servers. */
  ports: ReadonlySet<number>;
  /** Milliseconds since the load started. */
  elapsedMs(): number;
  /** Fetches fresh counters from server hosts (bounded). */
  refresh(): Promise<void>;
  /**
   * The HTTP/2 streams the server listening on `serverPort` counts on the connection from
   * `clientPort`, or null for an HTTP/1.1 server or one wedge cannot count inside.
   */
  streamsOf(serverPort: number, clientPort: number): ClientConnectionStreams | null;
  /** The target servers' counts, null where wedge cannot count inside a server. */
  serverCounts(): { name: string; received: number | null; answered: number | null }[];
  /**
   * The names of the servers `p` targets (as in {@linkcode ClientWatchSources.serverCounts}), or
   * undefined (the default) when every server counted is its target.
   */
  targetsOf?(p: ClientProcess): readonly string[];
  /** A target server's port, by its name, to read its accept queue (absent: not read). */
  portOf?(server: string): number | null;
  /** Stall bound, ms, or null for no stall watch. */
  stallBoundMs: number | null;
  /** Called once with the stall's diagnosis. */
  onStall(stall: CommandClientStall): void;
}

/**
 * The watch over command client processes.
 *
 * @example
 * ```ts ignore
 * const watch = new ClientProcessWatch({ clients, ports, elapsedMs, serverCounts, stallBoundMs, onStall });
 * watch.start();
 * // ... load ...
 * await watch.stop();
 * ```
 */
export class ClientProcessWatch {
  /** What was seen, by process. */
  readonly seen = new Map<ClientProcess, ClientSeen>();
  /** The stall, once diagnosed. */
  stall: CommandClientStall | null = null;
  /** The servers' counts when the watch stopped (the load's end), else null. */
  finalCounts: ReturnType<ClientWatchSources["serverCounts"]> | null = null;
  #sources: ClientWatchSources;
  #timer: ReturnType<typeof setInterval> | undefined;
  #ticking: Promise<void> | null = null;
  /** By process: its targets' received count at its last progress, and when (ms). */
  #lastProgress = new Map<ClientProcess, { received: number | null; atMs: number }>();

  /**
   * Prepares the watch.
   *
   * @param sources The processes, the servers' counts, the clock and the stall callback.
   */
  constructor(sources: ClientWatchSources) {
    this.#sources = sources;
  }

  /** Samples every 250 ms until {@linkcode ClientProcessWatch.stop}. */
  start(): void {
    this.#timer = setInterval(() => {
      this.#ticking ??= this.tick().finally(() => (this.#ticking = null));
    }, TICK_MS);
  }

  /**
   * Stops sampling, after the tick under way, and keeps the servers' counts as the load ended
   * (requests after it, such as a probe, are not the clients'). Idempotent.
   */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#ticking;
    if (this.finalCounts !== null || this.#timer === undefined) return;
    await this.#sources.refresh();
    this.finalCounts = this.#sources.serverCounts();
  }

  /** Samples every running process once, then judges the stall. */
  async tick(): Promise<void> {
    const running = this.#sources.clients.running();
    if (running.length) await this.#sources.refresh();
    const atMs = Math.round(this.#sources.elapsedMs());
    const counts = this.#sources.serverCounts();
    for (const p of running) this.#progress(p, { atMs, counts });
    // The cheap readings first (/proc/PID/status, fd counts): the TCP table can take a
    // while to read on a busy host with many sockets, and is read only for held sockets.
    // Growth per request is judged on the requests of the process's own targets.
    const answeredOf = (p: ClientProcess) =>
      sumOrNull(this.#targetCounts(p, counts).map((c) => c.answered));
    const held = new Map(
      running.map((p) => [p, this.#sample(p, { atMs, answered: answeredOf(p) })]),
    );
    const wanted = new Set([...held.values()].flatMap((inodes) => [...(inodes ?? [])]));
    const tcp = wanted.size ? await readTcpByInode(wanted) : new Map<number, InodeSocket>();
    for (const [p, inodes] of held) this.#connections(p, { atMs, inodes, tcp });
    await this.#judge(running, { atMs, counts });
  }

  /**
   * Moves a process's last progress to now when its targets received a new request since its
   * previous tick. A process just started has had no time to send: its start counts as progress.
   * An unknown count (a target wedge cannot count in) is not progress, and never a stall.
   */
  #progress(p: ClientProcess, now: { atMs: number; counts: ServerCounts }): void {
    const received = sumOrNull(this.#targetCounts(p, now.counts).map((c) => c.received));
    const last = this.#lastProgress.get(p);
    if (last === undefined || received !== last.received) {
      this.#lastProgress.set(p, { received, atMs: now.atMs });
    }
  }

  /** The counts of the servers `p` targets. */
  #targetCounts(p: ClientProcess, counts: ServerCounts): ServerCounts {
    const targets = this.#sources.targetsOf?.(p);
    return targets === undefined ? counts : counts.filter((c) => targets.includes(c.name));
  }

  /** Diagnoses the processes past the bound, if any, once. */
  async #judge(
    running: ClientProcess[],
    now: { atMs: number; counts: ServerCounts },
  ): Promise<void> {
    const bound = this.#sources.stallBoundMs;
    if (this.stall || bound === null) return;
    const stalled = running.filter((p) => this.#stalled(p, { atMs: now.atMs, bound }));
    if (stalled.length === 0) return;
    const targets = new Set(
      stalled.flatMap((p) => this.#targetCounts(p, now.counts).map((c) => c.name)),
    );
    this.stall = diagnoseClientStall({
      boundMs: bound,
      atMs: now.atMs,
      // The span in which none of them saw progress: since the latest of their last progresses.
      lastRequestAtMs: Math.max(...stalled.map((p) => this.#lastProgress.get(p)!.atMs)),
      processes: stalled.map((p) => {
        const seen = this.seen.get(p)!;
        const rssBytes = seen.rss.at(-1)?.rssBytes ?? null;
        return { name: p.name, pid: p.child!.pid, ...seen, rssBytes };
      }),
      servers: now.counts.filter((c) => targets.has(c.name)),
      acceptQueued: await this.#acceptQueued(targets),
    });
    this.#sources.onStall(this.stall);
  }

  /** Connections waiting in the accept queues of the named servers, or null where unknown. */
  async #acceptQueued(servers: ReadonlySet<string>): Promise<number | null> {
    const ports = new Set(
      [...servers].map((name) => this.#sources.portOf?.(name) ?? null).filter((p) => p !== null),
    );
    if (ports.size === 0) return null;
    const table = await readTcpTable();
    if (table === null) return null;
    return table.filter((s) => s.state === "LISTEN" && ports.has(s.localPort))
      .reduce((sum, s) => sum + s.rxQueue, 0);
  }

  /** Whether `p` holds an established connection while its targets saw nothing for the bound. */
  #stalled(p: ClientProcess, now: { atMs: number; bound: number }): boolean {
    const last = this.#lastProgress.get(p);
    if (last === undefined || last.received === null || now.atMs - last.atMs < now.bound) {
      return false;
    }
    return this.seen.get(p)?.connections.some((c) => c.state === "ESTABLISHED") ?? false;
  }

  /** Samples a process's memory and fds; returns the socket inodes its tree holds (or null). */
  #sample(p: ClientProcess, now: { atMs: number; answered: number | null }): Set<number> | null {
    const pid = p.child!.pid;
    const seen = this.seen.get(p) ?? newSeen(pid);
    this.seen.set(p, seen);
    // One walk: each process of the tree read once (status, children, fd directory).
    const tree = readProcessTree(pid, { sockets: true });
    if (tree === null) return null;
    seen.peakRssBytes = Math.max(seen.peakRssBytes ?? 0, tree.rssBytes);
    if (seen.rss.length < MAX_RSS_POINTS) {
      seen.rss.push({ atMs: now.atMs, rssBytes: tree.rssBytes, answered: now.answered });
    }
    if (tree.openFds !== null) {
      seen.openFds = tree.openFds;
      seen.peakOpenFds = Math.max(seen.peakOpenFds ?? 0, tree.openFds);
    }
    return tree.socketInodes;
  }

  /** Its connections to the run's servers: its socket inodes found in the TCP table. */
  #connections(
    p: ClientProcess,
    now: { atMs: number; inodes: Set<number> | null; tcp: Map<number, InodeSocket> | null },
  ): void {
    const seen = this.seen.get(p)!;
    if (now.inodes === null || now.tcp === null) return;
    seen.inodes ??= new Map();
    const connections: ClientConnectionReport[] = [];
    for (const inode of now.inodes) {
      const socket = now.tcp.get(inode);
      if (!socket || !this.#sources.ports.has(socket.remotePort)) continue;
      if (!seen.inodes.has(inode)) seen.inodes.set(inode, now.atMs);
      const streams = this.#sources.streamsOf(socket.remotePort, socket.localPort);
      if (streams !== null) {
        seen.peakStreamsOnOneConnection = Math.max(
          seen.peakStreamsOnOneConnection ?? 0,
          streams.peak,
        );
      }
      connections.push({
        localPort: socket.localPort,
        remotePort: socket.remotePort,
        state: socket.state,
        ageMs: now.atMs - seen.inodes.get(inode)!,
        unsentBytes: socket.txQueue,
        unreadBytes: socket.rxQueue,
        streams,
      });
    }
    seen.connections = connections;
  }
}

/**
 * What each command client fleet targets, for {@linkcode ClientWatchSources.targetsOf}: the
 * servers of its `target` fleet, or every server when it has none, named as the servers' counts
 * name them (`fleet[index]`).
 *
 * @param fleets The command client fleets (name, target server fleet or null).
 * @param servers The servers the counts cover (fleet, index).
 * @returns The target server names of a process, by its fleet (none for an unknown fleet).
 *
 * @example
 * ```ts
 * import { fleetTargets } from "./client_process_watch.ts";
 * import assert from "node:assert/strict";
 *
 * const targetsOf = fleetTargets([{ name: "py", target: "a" }, { name: "all", target: null }], [
 *   { fleet: "a", index: 0 }, { fleet: "b", index: 0 },
 * ]);
 * assert.deepEqual(targetsOf({ fleet: "py" }), ["a[0]"]);
 * assert.deepEqual(targetsOf({ fleet: "all" }), ["a[0]", "b[0]"]);
 * ```
 */
export function fleetTargets(
  fleets: readonly { name: string; target: string | null }[],
  servers: readonly { fleet: string; index: number }[],
): (p: Pick<ClientProcess, "fleet">) => readonly string[] {
  const byFleet = new Map(fleets.map((f) => {
    const targeted = servers.filter((s) => f.target === null || s.fleet === f.target);
    return [f.name, targeted.map((s) => `${s.fleet}[${s.index}]`)];
  }));
  return (p) => byFleet.get(p.fleet) ?? [];
}

function newSeen(pid: number): ClientSeen {
  return {
    peakRssBytes: null,
    rss: [],
    peakOpenFds: null,
    openFds: null,
    fdLimit: fdLimit(pid),
    inodes: null,
    connections: [],
    peakStreamsOnOneConnection: null,
  };
}

function sumOrNull(values: readonly (number | null)[]): number | null {
  if (values.length === 0 || values.some((v) => v === null)) return null;
  return (values as number[]).reduce((a, b) => a + b, 0);
}
