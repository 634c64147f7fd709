// The epoll engine's core alone (clients/epoll/: EpollLoop and EpollConnection, no lane accounting,
// no histogram, no worker): N keep-alive connections in a closed loop from this thread against a
// running server, with this process's CPU per request from /proc/self/stat. Compare it with
// `/usr/bin/time wrk -t1 -cN -dSs URL` in the same minute (docs/performance.md).
//
//   deno run -A bench/epoll_core.ts http://127.0.0.1:PORT/ [seconds=4] [connections=32] [pipelining=1]
import { epollLibc, sockaddrIn } from "../clients/epoll/_libc.ts";
import { EpollLoop } from "../clients/epoll/loop.ts";
import { EpollConnection, type Exchange } from "../clients/epoll/connection.ts";
import { serializeRequest } from "../clients/raw_connection.ts";

const url = new URL(Deno.args[0] ?? "http://127.0.0.1:8080/");
const seconds = Number(Deno.args[1] ?? 4);
const connections = Number(Deno.args[2] ?? 32);
const pipelining = Number(Deno.args[3] ?? 1);
const opened = epollLibc();
if (opened.symbols === null) throw new Error(`the epoll bench: ${opened.problem.message}`);
const libc = opened.symbols;
const loop = new EpollLoop(libc);
const address = sockaddrIn(url.hostname, Number(url.port));
const one = serializeRequest({ method: "GET", path: "/", headers: {} }, { host: url.host });
const bytes = new Uint8Array(one.length * pipelining);
for (let i = 0; i < pipelining; i++) bytes.set(one, i * one.length);
const end = performance.now() + seconds * 1000;
let answered = 0;
let open = 0;
let finish = () => {};
const finished = new Promise<void>((resolve) => finish = resolve);

/** One connection's closed loop: a request, its answer, the next, until the time is up. */
class Lane implements Exchange {
  connection = EpollConnection.open(loop, { address, local: null });
  send(): void {
    this.connection.exchange(bytes, { count: pipelining, head: false }, this);
  }
  onResponse(): void {
    answered++;
  }
  onBodyBytes(): void {}
  onEnd(error: unknown): void {
    if (error) throw error;
    if (performance.now() < end) return this.send();
    this.connection.close();
    loop.leave();
    loop.release();
    if (--open === 0) finish();
  }
}

function cpuSeconds(): number {
  const fields = Deno.readTextFileSync("/proc/self/stat").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const cpu0 = cpuSeconds();
const t0 = performance.now();
// One hold and one enter per lane, as the engine's lanes do (the loop then blocks in epoll_wait).
for (let i = 0; i < connections; i++) {
  open++;
  loop.hold();
  loop.enter();
  new Lane().send();
}
await finished;
const wall = (performance.now() - t0) / 1000;
const cpu = cpuSeconds() - cpu0;
console.log(
  `${answered} responses in ${wall.toFixed(2)} s: ${(answered / wall).toFixed(0)} req/s, ` +
    `CPU ${cpu.toFixed(2)} s, ${(cpu * 1e6 / answered).toFixed(2)} us per request`,
);
