// KPI dashboard charts, drawn from data embedded with Django's json_script (no inline JavaScript, no
// network): <canvas data-kpi-chart data-source="id of the json_script element">. The data is
// {type, labels, datasets: [{label, type (bar|line), data, color, dashed}], steps}.
(function () {
  "use strict";
  function draw() {
    if (typeof Chart === "undefined") { return; }
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    document.querySelectorAll("canvas[data-kpi-chart]").forEach(function (canvas) {
      var source = document.getElementById(canvas.getAttribute("data-source"));
      if (!source) { return; }
      var spec = JSON.parse(source.textContent);
      var datasets = spec.datasets.map(function (d) {
        return {
          label: d.label, type: d.type || spec.type || "bar", data: d.data,
          backgroundColor: d.color, borderColor: d.color, borderWidth: d.type === "line" ? 2 : 0,
          borderDash: d.dashed ? [6, 4] : [], pointRadius: d.dashed ? 0 : 3, spanGaps: true,
          stepped: spec.steps ? "before" : false, fill: false
        };
      });
      new Chart(canvas, {
        type: spec.type || "bar",
        data: { labels: spec.labels, datasets: datasets },
        options: {
          animation: false, maintainAspectRatio: false,
          plugins: { legend: { display: datasets.length > 1 } },
          scales: { y: { beginAtZero: !spec.steps, ticks: { precision: spec.steps ? 0 : undefined } } }
        }
      });
    });
  }
  function start() {
    if (document.fonts && document.fonts.ready) { document.fonts.ready.then(draw); } else { draw(); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
