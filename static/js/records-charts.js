/* The records pages' charts (templates/records/_macros.html): Chart.js (static/vendor/chart.umd.js)
   draws each <canvas data-chart> from the figures the page carries as JSON
   (quizapp/records/charts.py), in the page's language and the app's colours. A chart's box
   stays hidden until it is drawn, and every chart keeps its numbers in a table under it (which
   prints in its place when it was not drawn). Values are written on the bars or shown on hover
   and tap, never told by colour alone; nothing moves for a reader who asks for less motion.
   Text goes onto the canvas only. */
"use strict";
(() => {
  if (typeof Chart === "undefined") return; // no library: the tables stay open

  const lang = document.documentElement.lang || "vi";
  const root = getComputedStyle(document.documentElement);
  const colour = (name) => root.getPropertyValue(name).trim();
  const C = { ink: colour("--ink"), muted: colour("--muted"), line: colour("--line"),
    navy: colour("--navy"), teal: colour("--teal"), blue: colour("--b") };
  const FONT = getComputedStyle(document.body).fontFamily;
  const reduced = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  // Figures as the page writes them: 1.234 and 50,0% in Vietnamese, 1,234 and 50.0% in English;
  // days dd/mm/yyyy in both (the server's days are Vietnam's: read as text, never as local time).
  const count = new Intl.NumberFormat(lang);
  const share = new Intl.NumberFormat(lang, { style: "percent", minimumFractionDigits: 1,
    maximumFractionDigits: 1 });
  const shareTick = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 0 });
  const weekday = new Intl.DateTimeFormat(lang, { weekday: "short", timeZone: "UTC" });
  const parts = (iso) => iso.split("-");
  const dayShort = (iso) => { const [, m, d] = parts(iso); return `${d}/${m}`; };
  const day = (iso) => { const [y, m, d] = parts(iso); return `${d}/${m}/${y}`; };
  const dayLong = (iso) => {
    const [y, m, d] = parts(iso).map(Number);
    return `${weekday.format(new Date(Date.UTC(y, m - 1, d)))}, ${day(iso)}`;
  };
  const month = (ym) => { const [y, m] = parts(ym); return `${m}/${y}`; };
  const fill = (text, n) => text.replace("{n}", count.format(n));

  Chart.defaults.font.family = FONT;
  Chart.defaults.font.size = 13;
  Chart.defaults.color = C.muted;
  Chart.defaults.borderColor = C.line;

  function options(more) {
    return Object.assign({
      responsive: true,
      maintainAspectRatio: false,
      locale: lang,
      animation: reduced ? false : { duration: 450 },
      // drawn at twice the pixels at least, so that a printed chart stays sharp
      devicePixelRatio: Math.max(window.devicePixelRatio || 1, 2),
    }, more);
  }

  function tooltip(callbacks, more) {
    return Object.assign({ backgroundColor: C.navy, titleColor: "#fff", bodyColor: "#fff",
      padding: 10, displayColors: false, titleFont: { weight: "bold" }, callbacks }, more);
  }

  /** Lines of ``text`` no wider than ``width`` in the context's font. */
  function wrap(ctx, text, width) {
    const lines = [];
    let line = "";
    (text || "").split(/\s+/).filter(Boolean).forEach((word) => {
      const next = line ? `${line} ${word}` : word;
      if (line && ctx.measureText(next).width > width) {
        lines.push(line);
        line = word;
      } else {
        line = next;
      }
    });
    if (line) lines.push(line);
    return lines;
  }

  // ----- sessions per day -------------------------------------------------------------------

  /** The days still to come, shaded and named, behind the bars. */
  const toCome = {
    id: "toCome",
    beforeDatasetsDraw(chart, args, opts) {
      if (opts.from == null) return;
      const { ctx, chartArea: area, scales: { x } } = chart;
      const half = (x.getPixelForValue(1) - x.getPixelForValue(0)) / 2 || area.width / 2;
      const left = Math.max(area.left, x.getPixelForValue(opts.from) - half);
      ctx.save();
      ctx.fillStyle = "#eef2f7";
      ctx.fillRect(left, area.top, area.right - left, area.bottom - area.top);
      ctx.font = `600 12px ${FONT}`;
      ctx.fillStyle = C.muted;
      ctx.textBaseline = "top";
      if (ctx.measureText(opts.label).width + 8 <= area.right - left) {
        ctx.fillText(opts.label, left + 4, area.top + 4);
      }
      ctx.restore();
    },
  };

  function days(canvas, d) {
    const w = d.words;
    const title = (i) => (d.weekly ? `${day(d.days[i])} – ${day(d.last[i])}` : dayLong(d.days[i]));
    return new Chart(canvas, {
      type: "bar",
      data: { labels: d.days.map(dayShort),
        datasets: [{ label: w.sessions, data: d.sessions, backgroundColor: C.teal,
          borderRadius: 3, maxBarThickness: 48 }] },
      options: options({
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { grid: { display: false }, ticks: { maxRotation: 0, autoSkipPadding: 14 } },
          y: { beginAtZero: true, suggestedMax: 1, ticks: { precision: 0 } },
        },
        plugins: {
          legend: { display: false },
          toCome: { from: d.future_from, label: w.to_come },
          tooltip: tooltip({
            title: (items) => title(items[0].dataIndex),
            label: (item) => `${w.sessions}: ${count.format(item.raw)}`,
            afterLabel: (item) => `${w.students}: ${count.format(d.students[item.dataIndex])}`,
          }),
        },
      }),
      plugins: [toCome],
    });
  }

  // ----- accuracy by topic ------------------------------------------------------------------

  // Each topic takes a band: its name (and its share, on the right) over a bar of the full
  // width, so that long names read on a phone. The band's upper slot belongs to an empty
  // dataset and holds the name; the bar is in the lower one.
  const BAR = 16;
  const LINE = 17;
  const NAME_FONT = `600 13.5px ${FONT}`;
  const VALUE_FONT = `800 14px ${FONT}`;

  function nameLines(ctx, d, width) {
    ctx.save();
    ctx.font = VALUE_FONT;
    const valueWidth = Math.max(...d.accuracy.map((a) => ctx.measureText(share.format(a)).width));
    ctx.font = NAME_FONT;
    // the full width for the name, but its last line leaves room for the share
    const lines = d.labels.map((label) => {
      const all = wrap(ctx, label, Math.max(80, width));
      return all.concat(wrap(ctx, all.pop(), Math.max(80, width - valueWidth - 14)));
    });
    ctx.restore();
    return lines;
  }

  /** The height of the bands at ``width``, for every name to fit over its bar. */
  function bandsHeight(ctx, d, width) {
    const most = Math.max(1, ...nameLines(ctx, d, width).map((l) => l.length));
    // the bar's slot is the band's lower 46 %: its top lies at 73 % of the band less half a bar
    const band = Math.ceil((most * LINE + BAR / 2 + 6) / 0.73) + 10;
    return d.labels.length * band;
  }

  const names = {
    id: "topicNames",
    // the box grows or shrinks until every name fits (its width does not depend on its height)
    afterLayout(chart, args, opts) {
      const { chartArea: area, canvas } = chart;
      const extra = chart.height - (area.bottom - area.top);
      const height = `${bandsHeight(chart.ctx, opts.data, area.right - area.left) + extra}px`;
      if (canvas.parentElement.style.height !== height) canvas.parentElement.style.height = height;
    },
    // each bar on a track of the full width: 0 to 100 %
    beforeDatasetsDraw(chart) {
      const { ctx, chartArea: area } = chart;
      ctx.save();
      ctx.fillStyle = "#e3e9f1";
      chart.getDatasetMeta(1).data.forEach((bar) => {
        ctx.beginPath();
        ctx.roundRect(area.left, bar.y - bar.height / 2, area.right - area.left, bar.height, 4);
        ctx.fill();
      });
      ctx.restore();
    },
    afterDatasetsDraw(chart, args, opts) {
      const { ctx, chartArea: area } = chart;
      const bars = chart.getDatasetMeta(1).data;
      const lines = nameLines(ctx, opts.data, area.width);
      ctx.save();
      ctx.textBaseline = "bottom";
      bars.forEach((bar, i) => {
        const bottom = bar.y - bar.height / 2 - 4;
        ctx.font = VALUE_FONT;
        ctx.fillStyle = C.ink;
        ctx.textAlign = "right";
        ctx.fillText(share.format(opts.data.accuracy[i]), area.right, bottom);
        ctx.font = NAME_FONT;
        ctx.textAlign = "left";
        lines[i].forEach((line, n) => {
          ctx.fillText(line, area.left, bottom - (lines[i].length - 1 - n) * LINE);
        });
      });
      ctx.restore();
    },
  };

  function topics(canvas, d) {
    const w = d.words;
    const box = canvas.parentElement;
    const ctx = canvas.getContext("2d");
    box.style.height = `${bandsHeight(ctx, d, box.clientWidth - 10) + 34}px`; // and the axis
    return new Chart(canvas, {
      type: "bar",
      data: { labels: d.labels,
        datasets: [{ label: "", data: d.labels.map(() => null) },
          { label: w.accuracy, data: d.accuracy, backgroundColor: C.blue, borderRadius: 4,
            maxBarThickness: BAR }] },
      options: options({
        indexAxis: "y",
        categoryPercentage: 0.92,
        barPercentage: 1,
        interaction: { mode: "index", axis: "y", intersect: false },
        scales: {
          x: { min: 0, max: 1, grid: { drawOnChartArea: false },
            ticks: { stepSize: 0.25, callback: (v) => shareTick.format(v) } },
          y: { display: false },
        },
        plugins: {
          legend: { display: false },
          topicNames: { data: d },
          tooltip: tooltip({
            title: (items) => d.labels[items[0].dataIndex],
            label: (item) => `${w.accuracy}: ${share.format(item.raw)}`,
            afterLabel: (item) => `${w.answers}: ${count.format(d.answers[item.dataIndex])}`,
          }, { filter: (item) => item.datasetIndex === 1 }),
        },
      }),
      plugins: [names],
    });
  }

  // ----- a school's trend -------------------------------------------------------------------

  /** Each month's share written over its bar. */
  const barValues = {
    id: "barValues",
    afterDatasetsDraw(chart) {
      const { ctx } = chart;
      ctx.save();
      ctx.font = VALUE_FONT;
      ctx.fillStyle = C.ink;
      ctx.textAlign = "center";
      ctx.textBaseline = "bottom";
      chart.getDatasetMeta(0).data.forEach((bar, i) => {
        const value = chart.data.datasets[0].data[i];
        if (value != null) ctx.fillText(share.format(value), bar.x, bar.y - 4);
      });
      ctx.restore();
    },
  };

  function trend(canvas, d) {
    const w = d.words;
    return new Chart(canvas, {
      type: "bar",
      data: { labels: d.months.map((m, i) => [month(m), fill(w.sessions_short, d.sessions[i])]),
        datasets: [{ label: w.accuracy, data: d.accuracy, backgroundColor: C.teal,
          borderRadius: 4, maxBarThickness: 56 }] },
      options: options({
        layout: { padding: { top: 24 } },
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { grid: { display: false }, ticks: { maxRotation: 0, color: C.ink } },
          y: { min: 0, max: 1, ticks: { stepSize: 0.25, callback: (v) => shareTick.format(v) } },
        },
        plugins: {
          legend: { display: false },
          tooltip: tooltip({
            title: (items) => month(d.months[items[0].dataIndex]),
            label: (item) => (item.raw == null ? w.none
              : `${w.accuracy}: ${share.format(item.raw)}`),
            afterLabel: (item) => {
              const i = item.dataIndex;
              if (!d.sessions[i]) return "";
              const score = d.average_score[i];
              const points = score == null ? "–" : count.format(Math.round(score));
              return [`${w.average_score}: ${points}`,
                `${w.sessions}: ${count.format(d.sessions[i])}`,
                `${w.students}: ${count.format(d.students[i])}`];
            },
          }),
        },
      }),
      plugins: [barValues],
    });
  }

  // ----- drawing ------------------------------------------------------------------------------

  const KINDS = { days, topics, trend };

  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    const source = document.getElementById(canvas.dataset.chart);
    const box = canvas.parentElement;
    let data;
    try {
      data = JSON.parse(source.textContent);
    } catch (e) {
      return; // no chart: its numbers are there
    }
    const draw = KINDS[data.kind];
    if (!draw) return;
    box.hidden = false;
    try {
      draw(canvas, data);
    } catch (e) {
      box.hidden = true;
      throw e;
    }
  });

  // A printed page is laid out anew (two charts a row): the charts are drawn again at their
  // printed size once the print layout applies, and back after. The style sheet scales any that
  // a browser leaves as they were, so that none is cut.
  function fitAll() {
    Object.values(Chart.instances).forEach((chart) => {
      // drawn now, not in a later frame (the page is printed as it is), and without a tooltip
      chart.stop();
      chart.setActiveElements([]);
      chart.tooltip.setActiveElements([], { x: 0, y: 0 });
      for (let i = 0; i < 3; i += 1) { // a chart of topics may grow with its new width
        const { width, height } = chart;
        chart.resize();
        if (chart.width === width && chart.height === height) break;
      }
      chart.update("none");
      chart.draw();
    });
  }
  window.matchMedia("print").addEventListener("change", fitAll);
  window.addEventListener("beforeprint", fitAll);
  window.addEventListener("afterprint", fitAll);
})();
