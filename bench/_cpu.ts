// A load generator's CPU over a window of its steady load, from /proc (Linux): utime + stime of
// the process and its descendants (wrk under `timeout`, autocannon under npx), read at the start
// and the end of the window. Divided by the requests of that window (req/s x seconds), it gives
// the generator's CPU per request, which on a shared machine is taken from the server.

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** The CPU a process tree used over a window. */
export interface CpuWindow {
  /** CPU seconds (user + system) of the tree over the window. */
  cpuSeconds: number;
  /** The window's length, seconds. */
  seconds: number;
}

function read(path: string): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return null;
  }
}

/** The pids of `pid` and its descendants (through /proc/PID/task/TID/children). */
function tree(pid: number): number[] {
  const pids = [pid];
  for (let i = 0; i < pids.length; i++) {
    let tasks: string[] = [];
    try {
      tasks = [...Deno.readDirSync(`/proc/${pids[i]}/task`)].map((e) => e.name);
    } catch { /* gone */ }
    for (const tid of tasks) {
      const children = read(`/proc/${pids[i]}/task/${tid}/children`)?.trim();
      if (children) pids.push(...children.split(/\s+/).map(Number));
    }
  }
  return pids;
}

/** utime + stime (ticks) of a process tree now. */
function treeTicks(pid: number): number {
  let ticks = 0;
  for (const p of tree(pid)) {
    const stat = read(`/proc/${p}/stat`);
    if (stat === null) continue;
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    ticks += Number(fields[11]) + Number(fields[12]); // fields 14 and 15 of stat(5)
  }
  return ticks;
}

/** Whether a thread of the tree is named by `name` (a Deno worker is `worker-N`). */
function hasThread(pid: number, name: RegExp): boolean {
  for (const p of tree(pid)) {
    try {
      for (const task of Deno.readDirSync(`/proc/${p}/task`)) {
        if (name.test(read(`/proc/${p}/task/${task.name}/comm`)?.trim() ?? "")) return true;
      }
    } catch { /* gone */ }
  }
  return false;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The CPU of `pid`'s tree over `windowMs`, starting `offsetMs` after the process starts (or,
 * with `thread`, after a thread so named appears: wedge's load starts with its worker threads).
 *
 * @returns The window's CPU, or null when the process ended before the window did.
 */
export async function cpuWindow(
  pid: number,
  options: { offsetMs: number; windowMs: number; thread?: RegExp; ended: () => boolean },
): Promise<CpuWindow | null> {
  if (options.thread) {
    while (!hasThread(pid, options.thread)) {
      if (options.ended()) return null;
      await sleep(50);
    }
  }
  await sleep(options.offsetMs);
  const t0 = performance.now();
  const start = treeTicks(pid);
  await sleep(options.windowMs);
  const end = treeTicks(pid);
  const seconds = (performance.now() - t0) / 1000;
  if (options.ended()) return null;
  return { cpuSeconds: (end - start) / TICKS_PER_SECOND, seconds };
}
