// The error summary (base.html) takes focus when the page loads, so a keyboard or screen-reader
// user starts at the list of problems; each link there moves to its field.
(function () {
  "use strict";
  function focusSummary() {
    var summary = document.getElementById("error-summary");
    if (!summary) { return; }
    summary.scrollIntoView({ block: "start" });
    summary.focus({ preventScroll: true });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusSummary);
  } else {
    focusSummary();
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("#error-summary a[href^='#']");
    if (!link) { return; }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) { return; }
    event.preventDefault();
    target.scrollIntoView({ block: "center" });
    target.focus();
  });
})();
