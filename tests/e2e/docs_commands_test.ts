// Every command in the docs is tested: this file runs each command block that README.md and
// docs/**/*.md mark as runnable, and checks what the docs say comes from a file.
//
// Markers (HTML comments, invisible on GitHub), each on the line before a fenced block:
//
// - `<!-- test: exit N -->` before a ```sh block: each line of the block (blank lines and comment
//   lines dropped, a trailing `# comment` cut) is one command, run from the repository root without
//   a shell, and must exit N within 30 s. `<!-- test: exit N, needs netns -->` marks a scenario that
//   runs in a network namespace of its own: skipped, saying why, where none can be made.
// - `<!-- file: PATH -->` before a fenced block: the block is PATH's text, exactly.
// - `<!-- bench: PATH -->` before a table: the table is PATH's `deno task bench` rows (median, range,
//   p99, ratio, command), all of them.
//
// Long runs (`hang-mre` on defaults, benches) are left unmarked, and the docs say so beside them.
// Relative links and repository paths written in code spans must exist.
import assert from "node:assert/strict";
import { dirname, join, relative } from "node:path";
import { ROOT } from "../_cli.ts";
import { namespaceUnavailable } from "../../run/network_namespace.ts";

/** A marked block: what the marker says, and the lines of the block or table after it. */
interface Marked {
  file: string;
  line: number;
  kind: "test" | "file" | "bench";
  arg: string;
  body: string[];
}

const MARKER = /^<!--\s*(test|file|bench):\s*(.+?)\s*-->$/;
const COMMAND_TIMEOUT_MS = 30_000;

async function markdownFiles(): Promise<string[]> {
  const files = ["README.md"];
  const walk = async (dir: string): Promise<void> => {
    for await (const entry of Deno.readDir(join(ROOT, dir))) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (entry.name.endsWith(".md")) files.push(path);
    }
  };
  await walk("docs");
  return files.sort();
}

/** The marked blocks of one Markdown file; a marker not followed by its block is an error. */
function markedBlocks(file: string, text: string): Marked[] {
  const lines = text.split("\n");
  const found: Marked[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = MARKER.exec(lines[i].trim());
    if (!m) continue;
    let j = i + 1;
    while (j < lines.length && lines[j].trim() === "") j++;
    const kind = m[1] as Marked["kind"];
    const body: string[] = [];
    if (kind === "bench") {
      while (j < lines.length && lines[j].startsWith("|")) body.push(lines[j++]);
      assert.ok(body.length > 2, `${file}:${i + 1}: ${m[0]} is not followed by a table`);
    } else {
      const fence = lines[j] ?? "";
      assert.ok(
        fence.startsWith("```") && (kind === "file" || /^```(sh|bash)$/.test(fence)),
        `${file}:${i + 1}: ${m[0]} is not followed by a fenced ${
          kind === "test" ? "sh " : ""
        }block`,
      );
      for (j++; j < lines.length && !lines[j].startsWith("```"); j++) body.push(lines[j]);
    }
    found.push({ file, line: i + 1, kind, arg: m[2], body });
  }
  return found;
}

/** A command line as argv: words split on blanks, '...' and "..." quoted, `# comment` cut. */
function argv(line: string): string[] {
  const words: string[] = [];
  for (const m of line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) {
    if (m[3]?.startsWith("#")) break;
    words.push(m[1] ?? m[2] ?? m[3]);
  }
  return words;
}

function commands(block: Marked): string[][] {
  return block.body.map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map(argv);
}

async function run(args: string[]): Promise<{ code: number; output: string }> {
  const [program, ...rest] = args;
  const path = `${dirname(Deno.execPath())}:${Deno.env.get("PATH") ?? ""}`;
  const out = await new Deno.Command(program === "deno" ? Deno.execPath() : program, {
    args: rest,
    cwd: ROOT,
    env: { NO_COLOR: "1", PATH: path },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(COMMAND_TIMEOUT_MS),
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { code: out.code, output: text.split("\n").slice(-30).join("\n") };
}

const files = await markdownFiles();
const texts = new Map<string, string>();
for (const file of files) texts.set(file, await Deno.readTextFile(join(ROOT, file)));
const blocks = files.flatMap((file) => markedBlocks(file, texts.get(file)!));
const netnsUnavailable = await namespaceUnavailable({
  ephemeralPorts: [50000, 50999],
  tcpTwReuse: 0,
});

Deno.test("the docs mark runnable commands in the README and in docs/", () => {
  const tests = blocks.filter((b) => b.kind === "test");
  assert.ok(tests.some((b) => b.file === "README.md"), "README.md marks no runnable block");
  assert.ok(tests.filter((b) => b.file.startsWith("docs/seeds/")).length >= 5);
  for (const b of tests) {
    assert.match(b.arg, /^exit \d+(, needs netns)?$/, `${b.file}:${b.line}: marker "${b.arg}"`);
    assert.ok(commands(b).length > 0, `${b.file}:${b.line}: a marked block with no command`);
  }
});

for (const file of files) {
  const marked = blocks.filter((b) => b.file === file && b.kind === "test");
  if (marked.length === 0) continue;
  Deno.test(`every marked command in ${file} exits as the docs say`, async (t) => {
    for (const block of marked) {
      const expected = Number(/^exit (\d+)/.exec(block.arg)![1]);
      const needsNetns = block.arg.includes("needs netns");
      for (const command of commands(block)) {
        const skip = needsNetns && netnsUnavailable !== null;
        await t.step({
          name: `${command.join(" ")} (line ${block.line}): exit ${expected}${
            skip ? ` (skipped: ${netnsUnavailable})` : ""
          }`,
          ignore: skip,
          async fn() {
            const { code, output } = await run(command);
            assert.equal(code, expected, `${file}:${block.line}: ${command.join(" ")}\n${output}`);
          },
        });
      }
    }
  });
}

Deno.test("a block marked with a file is that file's text", async () => {
  const marked = blocks.filter((b) => b.kind === "file");
  for (const b of marked) {
    const text = await Deno.readTextFile(join(ROOT, b.arg));
    assert.equal(b.body.join("\n").trimEnd(), text.trimEnd(), `${b.file}:${b.line}: ${b.arg}`);
  }
});

interface BenchRow {
  name: string;
  command: string;
  medianRps: number;
  minRps: number;
  maxRps: number;
  medianP99ms: number;
  ratio: number;
}

Deno.test("the performance tables are the bench results files' rows", async () => {
  const marked = blocks.filter((b) => b.kind === "bench");
  assert.ok(marked.length > 0, "no table marked with its bench results file");
  for (const b of marked) {
    const results: { servers: { key: string; rows: BenchRow[] }[] } = JSON.parse(
      await Deno.readTextFile(join(ROOT, b.arg)),
    );
    const rows = b.body.slice(2).map((line) => line.split("|").slice(1, -1).map((c) => c.trim()));
    const expected = results.servers.flatMap((server) =>
      server.rows.map((r) => [
        server.key,
        r.name,
        String(Math.round(r.medianRps)),
        `${Math.round(r.minRps)}-${Math.round(r.maxRps)}`,
        r.medianP99ms.toFixed(2),
        r.ratio.toFixed(2),
        // The file predates the move of runtime/ (issue 13); the table gives today's path.
        "`" + r.command.replace("runtime/cli.ts", "cli/main.ts") + "`",
      ])
    );
    assert.deepEqual(rows, expected, `${b.file}:${b.line}: the table differs from ${b.arg}`);
  }
});

const FOLDERS = "cli|run|servers|clients|plan|scenario|system|assert|report|units|tests|bench|" +
  "scenarios|docs";
const REPO_PATH = new RegExp(
  `(?<![\\w./<-])(?:${FOLDERS})/[\\w./-]*\\w\\.(?:ts|mjs|md|json|lua|py)\\b`,
  "g",
);

Deno.test("relative links and repository paths in the docs exist", async () => {
  const missing: string[] = [];
  const exists = (path: string) => Deno.stat(path).then(() => true, () => false);
  for (const [file, text] of texts) {
    for (const m of text.matchAll(/\]\(([^)\s#]+)(#[^)]*)?\)/g)) {
      if (/^[a-z]+:/.test(m[1])) continue;
      const target = join(ROOT, dirname(file), m[1]);
      if (!await exists(target)) missing.push(`${file}: link ${m[1]}`);
    }
    for (const m of text.matchAll(/`[^`\n]+`/g)) {
      for (const p of m[0].matchAll(REPO_PATH)) {
        if (!await exists(join(ROOT, p[0]))) missing.push(`${file}: path ${p[0]}`);
      }
    }
  }
  assert.deepEqual(missing, [], `missing, relative to ${relative(Deno.cwd(), ROOT) || "."}`);
});
