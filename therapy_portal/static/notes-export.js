/* The export page polls its progress endpoint and shows the download link when the ZIP is ready. */
(function () {
  "use strict";
  var box = document.getElementById("export-progress");
  if (!box || !window.fetch) { return; }
  var bar = document.getElementById("export-bar");
  var message = document.getElementById("export-message");
  var download = document.getElementById("export-download");

  function poll() {
    fetch(box.getAttribute("data-progress-url"), {credentials: "same-origin",
                                                  headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (state) {
        bar.value = state.percent;
        bar.textContent = state.percent + "%";
        if (state.status === "done") {
          message.textContent = "Ready: " + state.total + (state.total === 1 ? " file." : " files.");
          download.hidden = false;
        } else if (state.status === "failed") {
          message.textContent = state.error;
        } else {
          message.textContent = "Building: " + state.done + " of " + state.total + " files done.";
          setTimeout(poll, 1000);
        }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  if (download.hidden) { setTimeout(poll, 500); }
})();
