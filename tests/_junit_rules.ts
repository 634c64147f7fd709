// The structure rules of the JUnit schema Jenkins' xUnit plugin validates against (junit-10.xsd,
// jenkinsci/xunit-plugin, src/main/resources/org/jenkinsci/plugins/xunit/types/model/xsd/), checked
// element by element on a parsed document: which elements may hold which, which attributes each
// may have and must have, and the pattern of `time`. The XSD itself is not vendored (see
// docs/report.md#junit); these rules are read from it.
import { XMLParser } from "fast-xml-parser";

/** An element of a document parsed with `preserveOrder`: its name, attributes and children. */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const RERUN = ["rerunFailure", "rerunError", "flakyFailure", "flakyError"];
const MESSAGE = { allowed: ["type", "message"], required: [], children: [] };
const RULES: Record<string, { allowed: string[]; required: string[]; children: string[] }> = {
  testsuites: {
    allowed: ["name", "time", "tests", "failures", "errors"],
    required: [],
    children: ["testsuite"],
  },
  testsuite: {
    allowed: [
      "name",
      "tests",
      "failures",
      "errors",
      "group",
      "time",
      "skipped",
      "timestamp",
      "hostname",
      "id",
      "package",
      "file",
      "log",
      "url",
    ],
    required: ["name", "tests", "failures", "errors"],
    children: ["testsuite", "properties", "testcase", "system-out", "system-err"],
  },
  properties: { allowed: [], required: [], children: ["property"] },
  property: { allowed: ["name", "value"], required: ["name", "value"], children: [] },
  testcase: {
    allowed: ["name", "time", "classname", "group"],
    required: ["name"],
    children: ["skipped", "error", "failure", ...RERUN, "system-out", "system-err"],
  },
  failure: MESSAGE,
  error: MESSAGE,
  skipped: MESSAGE,
  "system-out": { allowed: [], required: [], children: [] },
  "system-err": { allowed: [], required: [], children: [] },
};

/** junit-10.xsd's SUREFIRE_TIME: digits (optionally grouped by commas) and a decimal part. */
const SUREFIRE_TIME = /^(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]*)?$/;

/** Parses XML into elements (attributes and text decoded), the root first. */
export function parseXml(xml: string): XmlElement {
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: "",
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    ignoreDeclaration: true,
    htmlEntities: true, // numeric character references (&#10;) too, as any XML parser decodes them
  });
  const nodes = parser.parse(xml) as Record<string, unknown>[];
  const roots = nodes.map(toElement).filter((e): e is XmlElement => e !== null);
  if (roots.length !== 1) throw new Error(`expected one root element, got ${roots.length}`);
  return roots[0];
}

function toElement(node: Record<string, unknown>): XmlElement | null {
  const name = Object.keys(node).find((k) => k !== ":@" && k !== "#text");
  if (!name) return null;
  const raw = node[name] as Record<string, unknown>[];
  const children = raw.map(toElement).filter((e): e is XmlElement => e !== null);
  const text = raw.filter((n) => "#text" in n).map((n) => String(n["#text"])).join("");
  const attributes = (node[":@"] ?? {}) as Record<string, string>;
  return { name, attributes, children, text };
}

/** Every element named `name` under `element` (itself included), in document order. */
export function findAll(element: XmlElement, name: string): XmlElement[] {
  return [
    ...(element.name === name ? [element] : []),
    ...element.children.flatMap((c) => findAll(c, name)),
  ];
}

/** What breaks junit-10.xsd's rules in the document, one line each; [] when it keeps them. */
export function junitSchemaProblems(root: XmlElement): string[] {
  if (root.name !== "testsuites" && root.name !== "testsuite") {
    return [`root element <${root.name}>: expected <testsuites> or <testsuite>`];
  }
  return check(root, root.name);
}

function check(element: XmlElement, path: string): string[] {
  const rule = RULES[element.name];
  if (!rule) return [`${path}: <${element.name}> is not an element of the schema`];
  const problems: string[] = [];
  for (const name of Object.keys(element.attributes)) {
    if (!rule.allowed.includes(name)) problems.push(`${path}: attribute "${name}" not allowed`);
  }
  for (const name of rule.required) {
    if (!(name in element.attributes)) problems.push(`${path}: attribute "${name}" missing`);
  }
  const time = element.attributes.time;
  if ((element.name === "testsuite" || element.name === "testsuites") && time !== undefined) {
    if (!SUREFIRE_TIME.test(time)) problems.push(`${path}: time "${time}" not SUREFIRE_TIME`);
  }
  element.children.forEach((child, i) => {
    const at = `${path}/${child.name}[${i}]`;
    if (!rule.children.includes(child.name)) {
      problems.push(`${at}: <${child.name}> not allowed in <${element.name}>`);
    } else problems.push(...check(child, at));
  });
  if (rule.children.length && element.text.trim() !== "") {
    problems.push(`${path}: text not allowed in <${element.name}>`);
  }
  return problems;
}
