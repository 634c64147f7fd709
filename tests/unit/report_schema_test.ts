// report.schema.json: derived from the report types (regenerated here and compared), and the
// fixture report valid by it. A real run's report is validated in tests/e2e/report_formats_test.ts.
import assert from "node:assert/strict";
import { generateReportSchema } from "../../tools/report_schema.ts";
import { reportFixture } from "../_report_fixture.ts";
import { COMMITTED_SCHEMA, schemaProblems } from "../_report_schema.ts";

Deno.test("report.schema.json is what the report types generate (else run `deno task schema`)", () => {
  const fresh = generateReportSchema();
  assert.deepEqual(
    COMMITTED_SCHEMA,
    fresh,
    "report.schema.json differs from what report/types/*.ts generate: run `deno task schema` and commit report.schema.json",
  );
});

Deno.test("the fixture report is valid by the committed schema", () => {
  assert.deepEqual(schemaProblems(reportFixture()), []);
});

Deno.test("the schema refuses a report missing a field, a wrong type, or an unknown outcome", () => {
  const { totals: _, ...missing } = reportFixture();
  assert.match(schemaProblems(missing).join("\n"), /must have required property 'totals'/);
  assert.match(
    schemaProblems({ ...reportFixture(), seed: "7" }).join("\n"),
    /\/seed must be number/,
  );
  assert.match(
    schemaProblems({ ...reportFixture(), outcome: "hung" }).join("\n"),
    /\/outcome must be equal to one of the allowed values/,
  );
});
