/**
 * The options of the text report, read by the composer and by the sections they affect.
 *
 * @module
 */

/** Options for `renderTextReport` (`report/text.ts`). */
export interface TextReportOptions {
  /** Use ANSI colours for PASS/FAIL. @default {false} */
  color?: boolean;
  /** List every server and incident, instead of summaries past 12 servers and 8 incidents. @default {false} */
  allServers?: boolean;
}
