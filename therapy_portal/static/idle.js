// The browser signs out too. A warning appears shortly before the server's idle limit, with
// "Stay signed in". When the limit passes, the page hides what it shows and goes to the login
// page. A form with unsent typing is submitted first: the server sees the ended session and keeps
// the text for the same person's next sign-in (auth/pending.py), as it does for any late submit.
//
// A shared computer: signing out clears whatever this origin kept in the browser (the server also
// sends Clear-Site-Data), and a signed-in page brought back from the back/forward cache is
// reloaded, so the server decides again who sees what: never the previous person's page.
(function () {
  "use strict";
  var body = document.body;
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    var main = document.getElementById("main");
    if (main) { main.hidden = true; }
    window.location.reload();
  });
  document.addEventListener("submit", function (event) {
    var action = event.target.getAttribute("action") || "";
    if (!/\/logout$/.test(action)) { return; }
    try { window.sessionStorage.clear(); window.localStorage.clear(); } catch (e) { /* blocked */ }
  });
  if (!body.dataset.idleSeconds) { return; }
  var warningSeconds = parseInt(body.dataset.idleWarning, 10);
  var box = document.getElementById("idle-warning");
  var countdown = document.getElementById("idle-countdown");
  var timer = null, ticker = null, deadline = 0;
  var dirtyForm = null;

  document.addEventListener("input", function (event) {
    var form = event.target.form;
    if (form && (form.method || "").toLowerCase() === "post") { dirtyForm = form; }
  });
  document.addEventListener("submit", function () { dirtyForm = null; });

  function schedule(secondsLeft) {
    clearTimeout(timer);
    deadline = Date.now() + secondsLeft * 1000;
    var untilWarning = Math.max(0, secondsLeft - warningSeconds) * 1000;
    timer = setTimeout(check, untilWarning);
  }

  function status() {
    return fetch(body.dataset.statusUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); });
  }

  function check() {
    status().then(function (s) {
      if (!s.signed_in) { signOut(); return; }
      if (s.seconds_left > warningSeconds + 2) { hideWarning(); schedule(s.seconds_left); return; }
      showWarning(s.seconds_left);
    }).catch(function () { timer = setTimeout(check, 5000); });
  }

  function showWarning(secondsLeft) {
    deadline = Date.now() + secondsLeft * 1000;
    box.hidden = false;
    document.getElementById("idle-stay").focus();
    clearInterval(ticker);
    ticker = setInterval(tick, 500);
    tick();
  }

  function hideWarning() {
    box.hidden = true;
    clearInterval(ticker);
  }

  function tick() {
    var left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    countdown.textContent = Math.floor(left / 60) + ":" + ("0" + (left % 60)).slice(-2);
    if (left <= 0) {
      clearInterval(ticker);
      // Give the server a moment past its own limit, then confirm before clearing the page.
      setTimeout(check, 1500);
    }
  }

  function signOut() {
    hideWarning();
    var main = document.getElementById("main");
    var form = dirtyForm;
    // Clear what the page shows; a form being sent keeps its fields (hidden) until it goes.
    Array.prototype.forEach.call(document.querySelectorAll("header nav, .flashes"), function (el) { el.remove(); });
    Array.prototype.forEach.call(main.children, function (el) { el.hidden = true; });
    var note = document.createElement("p");
    note.textContent = body.dataset.idleSignedOut || "You were signed out after a period of inactivity.";
    main.appendChild(note);
    if (form) { HTMLFormElement.prototype.submit.call(form); return; }
    window.location.replace(body.dataset.loginUrl);
  }

  function csrfToken() {
    // The header's logout form carries the session's CSRF token.
    var input = document.querySelector('header input[name="csrf_token"]');
    return input ? input.value : "";
  }

  document.getElementById("idle-stay").addEventListener("click", function () {
    fetch(body.dataset.keepaliveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
    }).then(function (r) { return r.json(); }).then(function (s) {
      hideWarning();
      if (s.signed_in) { schedule(s.seconds_left); } else { signOut(); }
    }).catch(function () { signOut(); });
  });

  // Saving a draft in the background counts as activity on the server: look again then.
  document.addEventListener("portal:activity", function () { check(); });
  schedule(parseInt(body.dataset.idleSeconds, 10));
})();
