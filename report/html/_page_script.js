// The HTML report's only script besides uPlot: it hands each chart of the page's JSON
// (#wedge-charts, built by report/html/*_charts.ts) to uPlot, with options only: units on the
// axes and legend, one cursor and one zoom across the time charts, and the stall band and
// incident lines drawn over them. It exposes the plots as globalThis.wedgeCharts for tests.
/* global uPlot */
(function () {
  "use strict";
  const page = JSON.parse(document.getElementById("wedge-charts").textContent);
  const KiB = 1024;
  const formats = {
    count: (v) => (Math.abs(v) >= 1e4 ? (v / 1e3).toFixed(1) + "k" : String(+v.toFixed(1))),
    "per-second": (v) => formats.count(v) + "/s",
    ms: (v) => (v >= 1000 ? +(v / 1000).toFixed(2) + "s" : +v.toFixed(2) + "ms"),
    bytes: (v) => {
      const units = ["B", "KiB", "MiB", "GiB"];
      let i = 0;
      while (Math.abs(v) >= KiB && i < units.length - 1) (v /= KiB), i++;
      return +v.toFixed(1) + " " + units[i];
    },
  };
  const BYTE_STEPS = [1, KiB, KiB * KiB, KiB * KiB * KiB].flatMap((u) =>
    [1, 2, 4, 8, 16, 32, 64, 128, 256, 512].map((m) => m * u)
  );
  const xFormats = {
    time: (v) => +v.toFixed(2) + " s",
    round: (v) => (v === 0 ? "start" : "load " + v),
    latency: formats.ms,
    // The percentile axis is -log10(1 - p): 1 is p90, 2 is p99, 3 is p99.9.
    percentile: (v) => "p" + +(100 - 100 * Math.pow(10, -v)).toFixed(2),
  };
  const plots = [];
  let syncing = false;

  function drawOverlays(u) {
    const { ctx } = u;
    const { left, top, width, height } = u.bbox;
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, width, height);
    ctx.clip();
    for (const band of page.bands) {
      const x0 = u.valToPos(band.fromS, "x", true);
      const x1 = u.valToPos(band.toS, "x", true);
      ctx.fillStyle = "rgba(214, 39, 40, 0.13)";
      ctx.fillRect(x0, top, Math.max(x1 - x0, 2), height);
    }
    ctx.strokeStyle = "#d62728";
    ctx.setLineDash([5, 4]);
    for (const marker of page.markers) {
      const x = Math.round(u.valToPos(marker.atS, "x", true)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
    }
    ctx.restore();
  }

  function zoomOthers(u, key) {
    if (key !== "x" || syncing || !u.wedgeTime) return;
    syncing = true;
    const { min, max } = u.scales.x;
    for (const other of plots) {
      if (other !== u && other.wedgeTime) other.setScale("x", { min, max });
    }
    syncing = false;
  }

  function options(spec, width) {
    const format = formats[spec.unit];
    const time = spec.axis === "time";
    return {
      title: undefined,
      width,
      height: spec.axis === "time" ? 210 : 240,
      scales: { x: { time: false }, y: spec.logScale ? { distr: 3 } : {} },
      axes: [
        {
          values: (_u, splits) => splits.map((v) => (v == null ? "" : xFormats[spec.axis](v))),
          // Percentiles and loads: a tick at each measured one, not between them.
          splits: spec.axis === "percentile" || spec.axis === "round"
            ? (u) => u.data[0]
            : undefined,
        },
        {
          values: (_u, splits) => splits.map((v) => (v == null ? "" : format(v))),
          size: 84,
          // Bytes: ticks at round binary sizes (1, 2, 4 ... 512 of B, KiB, MiB, GiB).
          incrs: spec.unit === "bytes" ? BYTE_STEPS : undefined,
        },
      ],
      series: [
        {
          label: spec.axis === "time" ? "time" : spec.axis,
          value: (_u, v) => v == null ? "" : xFormats[spec.axis](v),
        },
        ...spec.series.map((s) => ({
          label: s.label,
          stroke: s.color,
          fill: s.bars ? s.color + "55" : undefined,
          width: s.dashed ? 1 : 1.5,
          dash: s.dashed ? [6, 4] : undefined,
          spanGaps: !!s.spanGaps,
          paths: s.bars ? uPlot.paths.bars({ size: [0.9, 40] }) : undefined,
          // On time charts, dots only where points are few enough to tell apart (uPlot decides).
          points: spec.axis === "time" ? {} : { show: true },
          // Blank with the cursor off the chart; "n/a" where the value is unknown.
          value: (_u, v, _s, idx) => (idx == null ? "" : v == null ? "n/a" : format(v)),
        })),
      ],
      cursor: time ? { sync: { key: "wedge-time", setSeries: false } } : {},
      hooks: time ? { draw: [drawOverlays], setScale: [zoomOthers] } : {},
    };
  }

  for (const spec of page.charts) {
    const el = document.getElementById("chart-" + spec.id);
    if (!el || spec.series.length === 0) continue;
    const u = new uPlot(options(spec, Math.max(el.clientWidth, 400)), spec.data, el);
    u.wedgeTime = spec.axis === "time";
    u.wedgeId = spec.id;
    u.wedgeColors = spec.series.map((s) => s.color);
    plots.push(u);
  }
  globalThis.addEventListener("resize", () => {
    for (const u of plots) {
      u.setSize({ width: Math.max(u.root.parentNode.clientWidth, 400), height: u.height });
    }
  });
  globalThis.wedgeCharts = plots.map((u) => ({
    id: u.wedgeId,
    plot: u,
    lengths: u.data.map((d) => d.length),
    nonNull: u.data.slice(1).map((d) => d.filter((v) => v != null).length),
    colors: u.wedgeColors,
  }));
  globalThis.wedgeRendered = true;
})();
