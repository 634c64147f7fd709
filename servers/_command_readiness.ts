/**
 * Waiting for a command server to be ready: probing until it is, or stopping it and saying why
 * it is not (it exited, the run was stopped, or time ran out). Private to `command_server.ts`.
 *
 * @module
 */

import type { ChildStop, ProcessExit, SupervisedChild } from "../system/child_process.ts";
import type { CommandBehavior } from "../scenario/schema.ts";
import { CommandServerError } from "./command_server_error.ts";
import { delay } from "../units/deadline.ts";
import { type ReadyProbe, readyProbe, type StdoutWatch } from "./_ready_probe.ts";

const POLL_MS = 50;
const PROBE_TIMEOUT_MS = 1000;

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function describeExit(exit: ProcessExit): string {
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

function indented(title: string, text: string): string {
  if (!text) return "";
  const lines = text.split("\n");
  return `\n${title} (last ${lines.length} line${lines.length === 1 ? "" : "s"}):\n` +
    lines.map((line) => `  ${line}`).join("\n");
}

/** A command server between its spawn and its readiness. */
export interface StartingCommand {
  name: string;
  spec: Omit<CommandBehavior, "kind">;
  hostname: string;
  port: number;
  /** The command, `{port}` replaced. */
  argv: string[];
  /** The command for messages, quoted for a shell. */
  command: string;
  child: SupervisedChild;
  watch: StdoutWatch;
  stop: () => Promise<ChildStop>;
}

/**
 * Waits until the command is ready; else stops it and throws a {@linkcode CommandServerError}
 * saying why (it exited, the run was stopped, or time ran out).
 *
 * @param starting The command, its child process and how to stop it.
 * @param signal Aborting it stops the command and rejects.
 *
 * @example
 * ```ts ignore
 * await waitUntilReady(starting, options.signal); // throws CommandServerError if never ready
 * ```
 */
export async function waitUntilReady(
  starting: StartingCommand,
  signal?: AbortSignal,
): Promise<void> {
  const { spec, port, child, watch, stop } = starting;
  const readyUrl = spec.ready.kind === "url"
    ? spec.ready.url.replaceAll("{port}", String(port))
    : "";
  const probe = readyProbe(spec.ready, {
    hostname: starting.hostname,
    port,
    pid: child.pid,
    readyUrl,
  });
  const isReady = (ms: number) => spec.ready.kind === "stdout" ? watch.matched : probe.probe(ms);
  const deadline = performance.now() + spec.readyTimeoutMs;
  // Ends a poll's sleep early: the process exited, stdout matched, or the run was stopped.
  const woken = new AbortController();
  const wake = () => woken.abort();
  child.status.then(wake, wake);
  watch.seen.then(wake);
  const wakeSignal = signal ? AbortSignal.any([woken.signal, signal]) : woken.signal;
  try {
    while (true) {
      if (signal?.aborted) throw interrupted(starting, (await stop()).exit);
      // A url probe may take a while, but not past the deadline (nor over a second).
      const probeMs = Math.min(PROBE_TIMEOUT_MS, Math.max(POLL_MS, deadline - performance.now()));
      if (!child.reaped && await isReady(probeMs) && !child.reaped) return;
      if (child.reaped) {
        // Anything it started that is still in its group goes too (and lets go of the pipes).
        const early = (await stop()).exit ?? await child.exited;
        throw exitedEarly(starting, early, probe);
      }
      const left = deadline - performance.now();
      if (left <= 0) break;
      await delay(Math.min(POLL_MS, left), { signal: wakeSignal }).catch(() => {});
    }
  } catch (error) {
    if (!(error instanceof CommandServerError)) await stop();
    throw error;
  } finally {
    probe.close();
  }
  throw await notReady(starting, probe.foreignListener);
}

function interrupted(starting: StartingCommand, exit: ProcessExit | null): CommandServerError {
  const { name, argv, command, child } = starting;
  return new CommandServerError(
    `${name}: starting was interrupted (the run was stopped); it has been stopped ` +
      `(command: ${command})`,
    { server: name, argv, exit, stderrTail: exit?.stderrTail ?? child.stderrTail() },
  );
}

function exitedEarly(
  starting: StartingCommand,
  early: ProcessExit,
  probe: ReadyProbe,
): CommandServerError {
  const { name, argv, command, child } = starting;
  return new CommandServerError(
    `${name} ${describeExit(early)} before it was ready (command: ${command})` +
      (indented("stderr", early.stderrTail) ||
        `\nIt wrote nothing to stderr; its stdout is in ${child.stdoutLog}.`) +
      probe.foreignListener(),
    { server: name, argv, exit: early, stderrTail: early.stderrTail },
  );
}

/** Stops a command that was not ready in time; the error says what it waited for. */
async function notReady(
  starting: StartingCommand,
  foreignListener: () => string,
): Promise<CommandServerError> {
  const { name, spec, hostname, port, argv, command, child, watch, stop } = starting;
  const ready = spec.ready;
  const { exit } = await stop();
  const waitingFor = ready.kind === "port"
    ? `a connection to ${hostname}:${port}`
    : ready.kind === "url"
    ? `a response from ${ready.url.replaceAll("{port}", String(port))}`
    : `stdout to match ${ready.pattern}`;
  const mentionsPort = [...spec.argv, ...Object.values(spec.env)].some((s) => s.includes("{port}"));
  const hint = ready.kind === "stdout"
    ? `Check that the command prints a line matching ${ready.pattern} once it listens (output ` +
      "to a pipe may be buffered: flush it, e.g. PYTHONUNBUFFERED=1)."
    : mentionsPort
    ? `Check that the command listens on ${hostname} at the port given by {port}, and that ` +
      "the ready timeout allows for its start-up (a build, say)."
    : "Neither its arguments nor its environment mention {port}, so it cannot know which port " +
      `to listen on: pass it, e.g. "--port", "{port}" or PORT: "{port}".`;
  const tail = exit?.stderrTail ?? child.stderrTail();
  return new CommandServerError(
    `${name} was not ready within ${formatMs(spec.readyTimeoutMs)} (waiting for ${waitingFor}), ` +
      `command: ${command}` +
      (ready.kind === "stdout" ? indented("stdout", watch.tail(5)) : "") +
      indented("stderr", tail) +
      (foreignListener() || `\n${hint}`) +
      (exit ? "" : `\nIt did not exit even after SIGKILL: pid ${child.pid} may still be running.`),
    { server: name, argv, exit, stderrTail: tail },
  );
}
