/**
 * Command client fleets: the user's own client programs, one process per client, started for
 * each load round by the one child-process supervisor (`system/child_process.ts`: own process
 * group, logs under the run's log directory, stderr tail, bounded stop), with their placeholders
 * replaced. A round ends when every process of it ended: on its own (`until: "exit"`), stopped
 * after its `duration` (its completion), or stopped at its `timeout` (a failure).
 *
 * @module
 */

import { join, resolve } from "node:path";
import type { RunPlan } from "../plan/plan.ts";
import type { ClientProcessEnding } from "../report/types.ts";
import type { CommandClientFleet } from "../scenario/command_client_schema.ts";
import { usesCaFile } from "../scenario/resolve_command_clients.ts";
import { spawnSupervised, type SupervisedChild } from "../system/child_process.ts";
import { installHint, programUnavailable } from "../system/program_available.ts";
import { lastLines } from "../system/child_output.ts";
import { deadline } from "../units/deadline.ts";

/** One client process of one round, started or not. */
export interface ClientProcess {
  /** E.g. `my-client[0]` (`my-client[0]#2` in round 2). */
  name: string;
  /** Its fleet. */
  fleet: string;
  /** Index in its fleet. */
  index: number;
  /** The command, placeholders replaced. */
  argv: string[];
  /** Its `{url}`. */
  url: string;
  /** The running child, or null if it could not start. */
  child: SupervisedChild | null;
  /** How it ended so far (`"not-started"` until it has, then `"exited"` unless wedge ended it). */
  ending: ClientProcessEnding;
  /** `performance.now()` at its start. */
  startedAtMs: number;
  /** Why it could not start, if so. */
  spawnError: string | null;
  /** The last lines of its stdout (a load tool's own summary). */
  stdoutTail(): string;
}

/** Options for {@linkcode CommandClients}. */
export interface CommandClientsOptions {
  /** Base URL of each server, by server id. */
  urls: string[];
  /** Directory of the run's logs (the urls files go there too). */
  logDir: string;
  /**
   * The run's CA certificates (PEM) when a server speaks HTTP/2: `{ca_file}` is a file holding
   * them, in the log directory, removed when the clients stop. @default {[]}
   */
  caCerts?: string[];
}

/**
 * The run's command client processes, round after round.
 *
 * @example
 * ```ts ignore
 * const clients = new CommandClients(scenario.commandClients, plan, { urls, logDir });
 * await clients.start({ round: 1 });
 * await clients.stop();
 * ```
 */
export class CommandClients {
  /** Every process started (or tried), all rounds, in order. */
  readonly processes: ClientProcess[] = [];
  #fleets: readonly CommandClientFleet[];
  #plan: RunPlan;
  #options: CommandClientsOptions;
  #stopped = false;
  #caFile: string | null = null;

  /**
   * Prepares the fleets; nothing starts before {@linkcode CommandClients.start}.
   *
   * @param fleets The scenario's command client fleets.
   * @param plan The run plan (server ids of each fleet).
   * @param options Server URLs and the log directory.
   */
  constructor(
    fleets: readonly CommandClientFleet[],
    plan: RunPlan,
    options: CommandClientsOptions,
  ) {
    this.#fleets = fleets;
    this.#plan = plan;
    this.#options = options;
  }

  /** The processes still running. */
  running(): ClientProcess[] {
    return this.processes.filter((p) => p.child !== null && !p.child.reaped);
  }

  /**
   * Starts every fleet's processes for a round.
   *
   * @param options The round (1-based).
   * @returns Resolves when every process of the round ended.
   */
  async start(options: { round?: number } = {}): Promise<void> {
    const round = options.round ?? 1;
    if (this.#stopped) return;
    const started: Promise<void>[] = [];
    for (const fleet of this.#fleets) {
      const urls = this.#targets(fleet);
      const urlsFile = resolve(join(this.#options.logDir, `${stem(fleet.name)}.urls`));
      await Deno.mkdir(this.#options.logDir, { recursive: true });
      await Deno.writeTextFile(urlsFile, urls.join("\n") + "\n");
      const caFile = await this.#writeCaFile(fleet);
      for (let index = 0; index < fleet.count; index++) {
        const values = {
          url: urls[index % urls.length],
          urls,
          urlsFile,
          caFile,
          index,
          count: fleet.count,
        };
        started.push(this.#run(fleet, values, round));
      }
    }
    await Promise.all(started);
  }

  /**
   * Stops every process still running (SIGTERM, then SIGKILL after 2 s); no round starts after.
   *
   * @returns The names of processes that did not end.
   */
  async stop(): Promise<{ unstopped: string[] }> {
    this.#stopped = true;
    const running = this.running();
    for (const p of running) p.ending = "stopped-by-run";
    const stops = await Promise.all(running.map((p) => p.child!.stop({ timeoutMs: 2000 })));
    if (this.#caFile !== null) await Deno.remove(this.#caFile).catch(() => {});
    return { unstopped: running.filter((_, i) => stops[i].exit === null).map((p) => p.name) };
  }

  /** Writes the run's CA (PEM) once, if the fleet's command or env names `{ca_file}`. */
  async #writeCaFile(fleet: CommandClientFleet): Promise<string | undefined> {
    const caCerts = this.#options.caCerts ?? [];
    if (!usesCaFile(fleet) || caCerts.length === 0) return undefined;
    if (this.#caFile === null) {
      const path = resolve(join(this.#options.logDir, "ca.pem"));
      await Deno.writeTextFile(path, caCerts.join("\n"));
      this.#caFile = path;
    }
    return this.#caFile;
  }

  #targets(fleet: CommandClientFleet): string[] {
    const servers = this.#plan.servers.filter((s) =>
      fleet.target === null || s.fleet === fleet.target
    );
    return servers.map((s) => this.#options.urls[s.id]);
  }

  async #run(fleet: CommandClientFleet, values: Placeholders, round: number): Promise<void> {
    const name = `${fleet.name}[${values.index}]${round > 1 ? `#${round}` : ""}`;
    const argv = expandArgv(fleet.argv, values);
    const env = Object.fromEntries(
      Object.entries(fleet.env).map(([k, v]) => [k, substitute(v, values)]),
    );
    let stdout = "";
    const decoder = new TextDecoder();
    const p: ClientProcess = {
      name,
      fleet: fleet.name,
      index: values.index,
      argv,
      url: values.url,
      child: null,
      ending: "not-started",
      startedAtMs: performance.now(),
      spawnError: null,
      stdoutTail: () => lastLines(stdout, { lines: STDOUT_TAIL_LINES, chars: 4096 }),
    };
    this.processes.push(p);
    try {
      p.child = await spawnSupervised(argv, {
        logDir: this.#options.logDir,
        logName: `client-${stem(name)}`,
        env,
        cwd: fleet.cwd,
        onStdout: (chunk) => {
          stdout = (stdout + decoder.decode(chunk, { stream: true })).slice(-8192);
        },
      });
    } catch (error) {
      p.spawnError = `could not start ${JSON.stringify(argv[0])}: ${
        error instanceof Error ? error.message : String(error)
      }`;
      return;
    }
    p.ending = "exited";
    const limitMs = Math.min(fleet.durationMs ?? Infinity, fleet.timeoutMs ?? Infinity);
    await deadline(p.child.exited, limitMs).catch(async () => {
      if (p.child!.reaped) return;
      p.ending = fleet.durationMs !== null && fleet.durationMs <= (fleet.timeoutMs ?? Infinity)
        ? "stopped-after-duration"
        : "timed-out";
      await p.child!.stop({ timeoutMs: 2000 });
    });
    await p.child.exited;
  }
}

/**
 * A command client's program cannot run here (missing, or not executable): nothing was started.
 *
 * @example
 * ```ts
 * import { ClientProgramError } from "./command_clients.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(new ClientProgramError("needs hey").name, "ClientProgramError");
 * ```
 */
export class ClientProgramError extends Error {
  /**
   * Creates the error.
   *
   * @param message What is missing and how to install it.
   */
  constructor(message: string) {
    super(message);
    this.name = "ClientProgramError";
  }
}

/**
 * Checks, before anything starts, that every command client fleet's program can run.
 *
 * @param fleets The scenario's command client fleets.
 * @throws {ClientProgramError} Naming the fleet, the program and how to install it.
 *
 * @example
 * ```ts
 * import { checkClientPrograms, ClientProgramError } from "./command_clients.ts";
 * import assert from "node:assert/strict";
 *
 * const fleet = { kind: "command" as const, name: "c", count: 1, argv: ["no-such-tool-x"], env: {},
 *   cwd: null, target: null, durationMs: null, timeoutMs: null };
 * assert.throws(() => checkClientPrograms([fleet]), ClientProgramError);
 * ```
 */
export function checkClientPrograms(fleets: readonly CommandClientFleet[]): void {
  for (const fleet of fleets) {
    const program = fleet.argv[0];
    const problem = programUnavailable(program, { cwd: fleet.cwd, env: fleet.env });
    if (problem === null) continue;
    const install = program.includes("/") ? "" : ` (${installHint(program)})`;
    throw new ClientProgramError(
      `client fleet ${JSON.stringify(fleet.name)} needs ${program}${install}: ` +
        `${JSON.stringify(program)}: ${problem}`,
    );
  }
}

/** Lines of a client's stdout kept for the report (hey's summary fits). */
const STDOUT_TAIL_LINES = 40;

/** What a command client's placeholders stand for. */
export interface Placeholders {
  /** `{url}`. */
  url: string;
  /** `{urls}`. */
  urls: string[];
  /** `{urls_file}`. */
  urlsFile: string;
  /** `{ca_file}`: the run's CA (PEM), when a server speaks HTTP/2. */
  caFile?: string;
  /** `{index}`. */
  index: number;
  /** `{count}`. */
  count: number;
}

/**
 * Replaces the placeholders in a command: an argument that is `{urls}` alone becomes one argument
 * per URL; elsewhere `{urls}` is the URLs space-separated.
 *
 * @param argv The command as the scenario wrote it.
 * @param values What the placeholders stand for.
 * @returns The command to run.
 *
 * @example
 * ```ts
 * import { expandArgv } from "./command_clients.ts";
 * import assert from "node:assert/strict";
 *
 * const values = { url: "http://a/", urls: ["http://a/", "http://b/"], urlsFile: "/f", index: 1, count: 2 };
 * assert.deepEqual(expandArgv(["c", "{url}", "{urls}", "n={index}/{count}"], values), [
 *   "c", "http://a/", "http://a/", "http://b/", "n=1/2",
 * ]);
 * ```
 */
export function expandArgv(argv: readonly string[], values: Placeholders): string[] {
  return argv.flatMap((arg) => arg === "{urls}" ? values.urls : [substitute(arg, values)]);
}

function substitute(text: string, values: Placeholders): string {
  return text.replaceAll("{urls_file}", values.urlsFile)
    .replaceAll("{ca_file}", values.caFile ?? "")
    .replaceAll("{urls}", values.urls.join(" "))
    .replaceAll("{url}", values.url).replaceAll("{index}", String(values.index))
    .replaceAll("{count}", String(values.count));
}

function stem(name: string): string {
  return name.replace(/[^\w.-]+/g, "-").replace(/^-+|-+$/g, "") || "client";
}
