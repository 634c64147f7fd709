/**
 * `wedge init NAME`: writes `NAME.ts`, a commented scenario (a server fleet, a client fleet, two
 * assertions) that runs and passes as written, importing wedge by a specifier that works where it
 * is written.
 *
 * @module
 */

import { basename, isAbsolute, relative, resolve } from "node:path";
import { UsageError } from "../scenario/errors.ts";

/** The `wedge init --help` text. */
export const INIT_HELP = `Usage: wedge init NAME

Writes NAME.ts (NAME may be a path; ".ts" is added when missing): a commented scenario with a
server fleet, a client fleet and two assertions, which runs and passes as written. Run it with
"wedge NAME.ts", then point its server fleet at your own server. An existing file is never
overwritten (exit 2).
`;

/** Options for {@linkcode initScenario}. */
export interface InitScenarioOptions {
  /** Where a relative NAME starts. @default {Deno.cwd()} */
  cwd?: string;
  /** How the file imports wedge. @default {wedgeSpecifier(import.meta.url)} */
  specifier?: string;
}

/**
 * The specifier a scenario file imports wedge's authoring API by, derived from the URL of a module
 * of this package: the JSR package and version when wedge runs from JSR, else the absolute URL of
 * `mod.ts` (a `file:` URL for a checkout, an `https:` URL when run from a web server), which works
 * from any directory.
 *
 * @param moduleUrl The `import.meta.url` of a module in wedge's `cli/` folder.
 * @returns E.g. `jsr:@wedge/wedge@0.1.0` or `file:///home/me/wedge/mod.ts`.
 *
 * @example
 * ```ts
 * import { wedgeSpecifier } from "./init.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(wedgeSpecifier("file:///opt/wedge/cli/init.ts"), "file:///opt/wedge/mod.ts");
 * assert.equal(
 *   wedgeSpecifier("https://jsr.io/@wedge/wedge/0.1.0/cli/init.ts"),
 *   "jsr:@wedge/wedge@0.1.0",
 * );
 * ```
 */
export function wedgeSpecifier(moduleUrl: string): string {
  const url = new URL(moduleUrl);
  const jsr = url.hostname === "jsr.io" &&
    /^\/(@[^/]+\/[^/]+)\/([^/]+)\/cli\/[^/]+$/.exec(url.pathname);
  if (jsr) return `jsr:${jsr[1]}@${jsr[2]}`;
  return new URL("../mod.ts", url).href;
}

/**
 * The scenario file `wedge init` writes: a hello server fleet, a client fleet and two assertions,
 * each commented with what it does and how to change it.
 *
 * @param name The scenario's name, e.g. `my-check`.
 * @param options `specifier`: how the file imports wedge; `file`: its name, for the comment
 * (default `NAME.ts`).
 * @returns The file's text.
 *
 * @example
 * ```ts
 * import { scenarioTemplate } from "./init.ts";
 * import assert from "node:assert/strict";
 *
 * const text = scenarioTemplate("demo", { specifier: "jsr:@wedge/wedge@0.1.0" });
 * assert.match(text, /from "jsr:@wedge\/wedge@0\.1\.0";/);
 * ```
 */
export function scenarioTemplate(
  name: string,
  options: { specifier: string; file?: string },
): string {
  const file = options.file ?? `${name}.ts`;
  return `/**
 * ${name}: a wedge scenario. Run it with \`wedge ${file}\`, or
 * \`wedge ${file} --set nrequests=50000\` for a longer run.
 *
 * wedge starts the server fleets on 127.0.0.1, loads them with the client fleets (each client in a
 * worker thread, with a connection pool of its own), watches the run for stalls, leaks and port
 * exhaustion, prints a report and exits 0 when every assertion passes, 1 when one fails.
 */

import {
  allRequestsComplete,
  defineScenario,
  hello,
  noStallLongerThan,
  z,
} from ${JSON.stringify(options.specifier)};

export default defineScenario({
  name: ${JSON.stringify(name)},
  description: "2 hello servers loaded by 2 clients x 8 requests in flight",
  // Params: each has a default and can be changed on the command line with --set KEY=VALUE.
  params: z.object({
    nrequests: z.number().int().positive().default(2_000).describe("total requests"),
    concurrency: z.number().int().positive().default(8).describe("in flight per client"),
  }),
  // Stop the run, and report what was in flight, if it has not ended after this long.
  timeLimit: "1m",
  // Server fleets: who answers. Here 2 of wedge's own servers, each answering "hello".
  // To load your own server, start it as a command, one process per port wedge picks:
  //   { name: "app", command: ["./my-server", "--port", "{port}"], ready: { port: true } }
  // or give one that is already running: { name: "app", url: "http://127.0.0.1:8080/" }
  servers: [{ name: "hello", count: 2, behavior: hello() }],
  // Client fleets: who loads them. 2 clients, each keeping \`concurrency\` requests in flight,
  // \`nrequests\` in all, round-robin over every server. \`duration: "10s"\` instead of
  // \`requests\` sends for that long; \`rate: "500/s"\` makes an open model.
  clients: (p) => [{
    name: "load",
    count: 2,
    concurrency: p.concurrency,
    requests: p.nrequests,
    request: { method: "GET", path: "/" },
  }],
  // Assertions: what must hold, judged on the run's report (the exit code follows them).
  assert: [
    // No period of 5 s with requests owed and none completing (the watchdog stops a stalled run
    // and says where the requests are stuck).
    noStallLongerThan("5s"),
    // Every request got a response: no errors, none left in flight.
    allRequestsComplete(),
  ],
});
`;
}

/**
 * Writes a new scenario file from {@linkcode scenarioTemplate}; never overwrites one.
 *
 * @param name `demo` (writes `demo.ts`), `my_check.ts`, or a path such as `checks/demo`.
 * @param options Where a relative name starts, and how the file imports wedge.
 * @returns The absolute path of the file written.
 * @throws {UsageError} If the name is not a plain file name, or the file already exists.
 *
 * @example
 * ```ts
 * import { initScenario } from "./init.ts";
 * import assert from "node:assert/strict";
 *
 * const cwd = await Deno.makeTempDir();
 * const path = await initScenario("demo", { cwd });
 * assert.equal(path, `${cwd}/demo.ts`);
 * await assert.rejects(() => initScenario("demo", { cwd }), /already exists/);
 * await Deno.remove(cwd, { recursive: true });
 * ```
 */
export async function initScenario(
  name: string,
  options: InitScenarioOptions = {},
): Promise<string> {
  const cwd = options.cwd ?? Deno.cwd();
  const file = name.endsWith(".ts") ? name : `${name}.ts`;
  const stem = basename(file, ".ts");
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(stem)) {
    throw new UsageError(
      `init ${
        JSON.stringify(name)
      }: expected a file name of letters, digits, "_" and "-" (e.g. my_check)`,
    );
  }
  const path = isAbsolute(file) ? file : resolve(cwd, file);
  const text = scenarioTemplate(stem.replaceAll("_", "-").toLowerCase(), {
    specifier: options.specifier ?? wedgeSpecifier(import.meta.url),
    file: basename(file),
  });
  try {
    await Deno.writeTextFile(path, text, { createNew: true });
  } catch (error) {
    const shown = relative(cwd, path).startsWith("..") ? path : relative(cwd, path);
    if (error instanceof Deno.errors.AlreadyExists) {
      throw new UsageError(`init: ${shown} already exists; it was left as it is`);
    }
    throw new UsageError(`init: cannot write ${shown}: ${(error as Error).message}`);
  }
  return path;
}
