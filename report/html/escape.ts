/**
 * Escaping for the HTML report: text into HTML, and JSON into a `<script>` element. Pure.
 *
 * @module
 */

/**
 * Text as HTML shows it: `&`, `<`, `>`, `"` and `'` escaped, so it is safe in content and in
 * quoted attributes.
 *
 * @param text Any text (a scenario's name, an error message, a param value).
 * @returns The escaped text.
 *
 * @example
 * ```ts
 * import { escapeHtml } from "./escape.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(escapeHtml(`<b title="x">&</b>`), "&lt;b title=&quot;x&quot;&gt;&amp;&lt;/b&gt;");
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}

/**
 * A value as JSON that can sit inside `<script type="application/json">`: every `<` is written
 * `\u003c`, so no `</script>` or `<!--` in the data (an error message, a param) can end the
 * element early; U+2028 and U+2029 are escaped too. `JSON.parse` of the element's text gives the
 * value back unchanged.
 *
 * @param value Any JSON-serialisable value.
 * @returns JSON text with no `<`.
 *
 * @example
 * ```ts
 * import { jsonForScript } from "./escape.ts";
 * import assert from "node:assert/strict";
 *
 * const text = jsonForScript({ message: "</script><script>alert(1)</script>" });
 * assert.ok(!text.includes("<"));
 * assert.deepEqual(JSON.parse(text), { message: "</script><script>alert(1)</script>" });
 * ```
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replaceAll("<", "\\u003c").replaceAll("\u2028", "\\u2028")
    .replaceAll("\u2029", "\\u2029");
}
