// Draws charts from data embedded with Django's json_script (no inline JavaScript, no network).
(function () {
  "use strict";
  function draw() {
    if (typeof Chart === "undefined") { return; }
    // Canvas text uses the page's own (self-hosted) font so Hangul labels render.
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var source = document.getElementById(canvas.getAttribute("data-source"));
      if (!source) { return; }
      var data = JSON.parse(source.textContent);
      new Chart(canvas, {
        type: canvas.getAttribute("data-chart"),
        data: { labels: data.labels, datasets: [{ data: data.values, backgroundColor: "#256ef4" }] },
        options: { animation: false, maintainAspectRatio: false, plugins: { legend: { display: false } },
          scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
      });
    });
  }
  function start() {
    // Wait for the web font, or the first paint would measure labels in a fallback font.
    if (document.fonts && document.fonts.ready) { document.fonts.ready.then(draw); } else { draw(); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
