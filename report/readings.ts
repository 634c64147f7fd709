/**
 * What wedge's probes read, in the words the report keeps it: socket states, the host's
 * connection settings, the kernel's listen-queue counters, a worker's heap. Declared here, in the
 * report's own layer, so the report and its renderers import no adapter; the probes under
 * `system/` (and the client workers) produce these shapes.
 *
 * @module
 */

/** A TCP state. */
export type TcpState =
  | "ESTABLISHED"
  | "SYN_SENT"
  | "SYN_RECV"
  | "FIN_WAIT1"
  | "FIN_WAIT2"
  | "TIME_WAIT"
  | "CLOSE"
  | "CLOSE_WAIT"
  | "LAST_ACK"
  | "LISTEN"
  | "CLOSING"
  | "NEW_SYN_RECV";

/** Sockets by state, for one end of the run's connections. */
export type StateCounts = Partial<Record<TcpState, number>>;

/** The run's sockets by state, split by end. */
export interface SocketCensus {
  /** Server ends: local port is one of the run's server ports (LISTEN sockets excluded). */
  server: StateCounts;
  /** Client ends: remote port is one of the run's server ports. */
  client: StateCounts;
  /** Sockets in TIME_WAIT on either end. */
  timeWait: number;
  /** Sockets in ESTABLISHED on either end. */
  established: number;
  /** Connections waiting in a listener's accept queue, by server port (only ports with some). */
  acceptQueue: Record<string, number>;
  /** The same sockets per server port (every port of the run, with or without sockets). */
  ports: Record<string, PortSockets>;
}

/**
 * One server port's sockets: what the kernel shows of a server wedge cannot look into. The server
 * ends in ESTABLISHED or CLOSE_WAIT, less those in the accept queue, are connections it accepted.
 */
export interface PortSockets {
  /** A LISTEN socket holds the port. */
  listening: boolean;
  /** Connections complete and waiting in the listener's accept queue (not yet accepted). */
  acceptQueue: number;
  /** Server ends by state (LISTEN excluded). */
  server: StateCounts;
  /** Client ends by state. */
  client: StateCounts;
  /** Server ends holding request bytes the server has not read (receive queue above 0). */
  serverUnread: number;
  /** Server ends with written bytes not yet acknowledged by the client (send queue above 0). */
  serverUnsent: number;
  /** Client ends holding response bytes the client has not read (receive queue above 0). */
  clientUnread: number;
}

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

/** The kernel's counters of refused connection attempts, since boot (of the namespace). */
export interface ListenCounters {
  /** Times a SYN or a completed handshake found a listener's accept queue full. */
  overflows: number;
  /** Connection attempts dropped at a listener (overflows and other drops). */
  drops: number;
}

/** What a run saw of listen queues, as the report keeps it. */
export interface ListenReport {
  /**
   * Whose counters these are: `"namespace"` (the run's own network namespace: only its sockets)
   * or `"host"` (every listener on the host counts, not only the run's).
   */
  scope: "namespace" | "host";
  /** The counters before the load. */
  before: ListenCounters;
  /** The counters after the load. */
  after: ListenCounters;
  /** Overflows during the run (after - before). */
  overflows: number;
  /** Drops during the run (after - before). */
  drops: number;
  /** The run's listeners: server, port, and backlog (null where `ss` could not tell). */
  listeners: { server: string; port: number; backlog: number | null }[];
  /** What the counters mean for this run, one line each (empty when nothing was dropped). */
  hints: string[];
}

/**
 * A worker isolate's memory as `Deno.memoryUsage()` gives it (bytes): its V8 heap and the memory
 * V8 was told of outside it (ArrayBuffers). The process's RSS is not here: it is one for all.
 */
export interface WorkerHeap {
  /** Bytes of live objects (and garbage not yet collected) in the V8 heap. */
  heapUsed: number;
  /** Bytes the V8 heap has taken from the system. */
  heapTotal: number;
  /** Bytes outside the heap held by its objects (ArrayBuffers, buffers of the runtime). */
  external: number;
}
