/* Autosave for homework answers: saves the draft about 1.5 s after typing stops.
 *
 * Posts JSON {fields, version} to the form's data-autosave-url with the CSRF token in the
 * X-CSRFToken header, and reports "Saved" or "Not saved — we'll keep trying" in an aria-live
 * region. Nothing is stored in the browser. A 409 means another window saved first: autosave
 * stops and asks for a reload (the server keeps this window's text as a copy, so nothing is lost).
 * Without JavaScript the "Save draft" button does the same job. The words shown come from the
 * form's data-autosave-* attributes (the page's language); the English here is the fallback.
 *
 * The form is autocomplete="off" and, when the page is reached through the history, reset to
 * what the server sent: a browser restoring typed text into a page re-fetched after a sign-out
 * could otherwise show one partner's unsaved words to the next person on the same computer.
 */
(function () {
  "use strict";
  var DELAY = 1500;
  var MAX_RETRY = 60000;
  var SKIP = { csrf_token: true, version: true, idempotency_key: true, action: true };

  function fromHistory() {
    var entries = window.performance && performance.getEntriesByType
      ? performance.getEntriesByType("navigation") : [];
    return entries.length > 0 && entries[0].type === "back_forward";
  }

  function init(form) {
    if (fromHistory()) { form.reset(); }
    var url = form.getAttribute("data-autosave-url");
    var status = document.getElementById(form.getAttribute("data-autosave-status"));
    var versionInput = form.querySelector("input[name=version]");
    var tokenInput = form.querySelector("input[name=csrf_token]");
    var timer = null;
    var retry = DELAY;
    var inFlight = false;
    var dirty = false;
    var stopped = false;
    var words = {
      saving: form.getAttribute("data-autosave-saving") || "Saving\u2026",
      saved: form.getAttribute("data-autosave-saved") || "Saved",
      failed: form.getAttribute("data-autosave-failed") || "Not saved \u2014 we'll keep trying",
      ended: form.getAttribute("data-autosave-ended") ||
        "Not saved \u2014 your session ended. Use \u201cSave draft\u201d to log in again; your text is kept.",
      conflict: form.getAttribute("data-autosave-conflict") ||
        "This answer was changed in another window. Reload the page to see both versions."
    };

    function say(text, failed) {
      if (!status) { return; }
      status.textContent = text;
      status.classList.toggle("failed", !!failed);
    }

    function collect() {
      var fields = {};
      var data = new FormData(form);
      data.forEach(function (value, name) {
        if (SKIP[name] || typeof value !== "string") { return; }
        (fields[name] = fields[name] || []).push(value);
      });
      return fields;
    }

    function schedule(delay) {
      if (stopped) { return; }
      window.clearTimeout(timer);
      timer = window.setTimeout(save, delay);
    }

    function failed(message) {
      say(message || words.failed, true);
      retry = Math.min(retry * 2, MAX_RETRY);
      dirty = true;
      schedule(retry);
    }

    function save() {
      if (inFlight || stopped) { dirty = true; return; }
      inFlight = true;
      dirty = false;
      say(words.saving, false);
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        redirect: "manual",
        headers: {
          "Content-Type": "application/json",
          "Accept": "application/json",
          "X-CSRFToken": tokenInput ? tokenInput.value : ""
        },
        body: JSON.stringify({ fields: collect(), version: parseInt(versionInput.value, 10) || 0 })
      }).then(function (response) {
        inFlight = false;
        if (response.type === "opaqueredirect" || response.status === 401) {
          failed(words.ended);
          return null;
        }
        if (response.status === 409) {
          return response.json().then(function (body) {
            stopped = true;
            say((body && body.message) || words.conflict, true);
          });
        }
        if (!response.ok) { failed(); return null; }
        document.dispatchEvent(new Event("portal:activity"));
        return response.json().then(function (body) {
          versionInput.value = String(body.version);
          retry = DELAY;
          say(words.saved, false);
          if (dirty) { schedule(DELAY); }
        });
      }).catch(function () {
        inFlight = false;
        failed();
      });
    }

    form.addEventListener("input", function () { say("", false); schedule(DELAY); });
    form.addEventListener("change", function () { schedule(DELAY); });
    form.addEventListener("submit", function () { stopped = true; window.clearTimeout(timer); });
  }

  document.querySelectorAll("form[data-autosave-url]").forEach(init);
})();
