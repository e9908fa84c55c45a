// Site behaviour without inline scripts (so the Content-Security-Policy can stay 'self' only).
(function () {
  "use strict";
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  // htmx requests carry Django's CSRF token.
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
  });
  // Confirm buttons: <button data-confirm="…">.
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-confirm]");
    if (target && !window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
  // Progress bars: <span data-progress="42.5">. Set from script because the CSP refuses inline style
  // attributes; setting a property through the DOM is allowed.
  function drawProgress(root) {
    root.querySelectorAll("[data-progress]").forEach(function (bar) {
      var value = parseFloat(bar.getAttribute("data-progress"));
      if (!isNaN(value)) { bar.style.width = Math.max(0, Math.min(100, value)) + "%"; }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawProgress(document); });
  } else {
    drawProgress(document);
  }
  document.addEventListener("htmx:afterSwap", function (event) { drawProgress(event.detail.target); });
  // Auto-submit selects in filter forms: <select data-autosubmit>.
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-autosubmit]")) {
      event.target.form.requestSubmit();
    }
  });
})();
