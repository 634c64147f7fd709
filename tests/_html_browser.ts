// Opens an HTML report in headless Chromium (puppeteer-core and Debian's /usr/bin/chromium) and
// says what rendered: console errors, page errors, each uPlot chart's data lengths, whether its
// canvas has ink; optionally saves a screenshot. For tests and for docs/img screenshots.
import puppeteer from "puppeteer-core";

/** Debian's chromium, or null when it is not installed. */
export function chromiumPath(): string | null {
  for (
    const path of [Deno.env.get("WEDGE_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"]
  ) {
    if (!path) continue;
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch { /* next */ }
  }
  return null;
}

/** What the page did. */
export interface RenderedPage {
  /** Console messages of type error. */
  consoleErrors: string[];
  /** Uncaught exceptions and failed requests (there should be no requests at all). */
  pageErrors: string[];
  /** Requests the page made besides its own file (a self-contained page makes none). */
  requests: string[];
  /**
   * One per uPlot chart: its id, data lengths (x first), non-null values per series, and per
   * series the opaque pixels of the plot area painted in the series' colour.
   */
  charts: { id: string; lengths: number[]; nonNull: number[]; inkedPixels: number[] }[];
  /** Ids of the chart elements in the page (`chart-<id>`). */
  chartElements: string[];
}

/**
 * Opens `htmlPath` (an absolute path), waits for the charts, reads what rendered; saves a
 * screenshot when asked (the whole page; with `height`, the first `height` pixels).
 */
export async function renderInChromium(
  htmlPath: string,
  options: { screenshot?: string; width?: number; height?: number } = {},
): Promise<RenderedPage> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error("chromium is not installed (apt-get install -y chromium)");
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: options.width ?? 1200, height: options.height ?? 900 });
    const result: RenderedPage = {
      consoleErrors: [],
      pageErrors: [],
      requests: [],
      charts: [],
      chartElements: [],
    };
    page.on("console", (m) => {
      if (m.type() === "error") result.consoleErrors.push(m.text());
    });
    page.on("pageerror", (error) => result.pageErrors.push(String(error)));
    page.on("requestfailed", (r) => result.pageErrors.push(`request failed: ${r.url()}`));
    page.on("request", (r) => {
      if (!r.url().startsWith("file://")) result.requests.push(r.url());
    });
    await page.goto(`file://${htmlPath}`, { waitUntil: "load" });
    await page.waitForFunction("globalThis.wedgeRendered === true", { timeout: 15_000 });
    result.chartElements = await page.$$eval("[id^=chart-]", (els) => els.map((el) => el.id));
    result.charts = await page.evaluate(readCharts);
    if (options.screenshot) {
      // The whole page, or only the first `height` pixels when a height is given.
      await page.screenshot({ path: options.screenshot, fullPage: options.height === undefined });
    }
    return result;
  } finally {
    await browser.close();
  }
}

/** In the page: each chart's data lengths and, per series, the pixels painted in its colour. */
function readCharts() {
  // deno-lint-ignore no-explicit-any
  const charts = (globalThis as any).wedgeCharts as {
    id: string;
    lengths: number[];
    nonNull: number[];
    colors: string[];
    plot: {
      ctx: {
        getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
      };
      bbox: { left: number; top: number; width: number; height: number };
    };
  }[];
  return charts.map((c) => {
    const { left, top, width, height } = c.plot.bbox;
    const pixels = c.plot.ctx.getImageData(left, top, width, height).data;
    const inked = c.colors.map((color) => {
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16));
      let n = 0;
      for (let i = 0; i < pixels.length; i += 4) {
        const near = Math.abs(pixels[i] - r) + Math.abs(pixels[i + 1] - g) +
          Math.abs(pixels[i + 2] - b);
        if (pixels[i + 3] > 200 && near < 60) n++;
      }
      return n;
    });
    return { id: c.id, lengths: c.lengths, nonNull: c.nonNull, inkedPixels: inked };
  });
}

if (import.meta.main) {
  // deno run -A tests/_html_browser.ts REPORT.html [SCREENSHOT.png [HEIGHT]]
  const [html, png, height] = Deno.args;
  const options = { screenshot: png, height: height ? Number(height) : undefined };
  console.log(JSON.stringify(await renderInChromium(html, options), null, 1));
}
