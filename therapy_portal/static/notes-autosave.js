/* Session-note drafts save themselves: a JSON POST a moment after typing stops.
 * The CSRF token travels in the X-CSRFToken header. A save based on an older version gets 409:
 * autosave then stops, keeps the text in the form, and shows the saved version next to it. */
(function () {
  "use strict";
  var form = document.getElementById("note-form");
  if (!form || !window.fetch) { return; }
  var url = form.getAttribute("data-autosave-url");
  var status = document.getElementById("autosave-status");
  var conflictBox = document.getElementById("autosave-conflict");
  var version = form.querySelector("input[name=version]");
  var token = form.querySelector("input[name=csrf_token]");
  var timer = null, inFlight = false, dirty = false, paused = false, pendingSubmit = null;
  var serverVersion = null;

  function say(text) { status.textContent = text; }

  function fields() {
    var data = {};
    new FormData(form).forEach(function (value, key) {
      if (key !== "csrf_token") { data[key] = value; }
    });
    return data;
  }

  function showConflict(body) {
    paused = true;
    serverVersion = body.server_version;
    document.getElementById("autosave-conflict-message").textContent = body.message;
    var list = document.getElementById("autosave-conflict-fields");
    list.textContent = "";
    (body.server.fields || []).forEach(function (pair) {
      var dt = document.createElement("dt"), dd = document.createElement("dd");
      dt.textContent = pair[0];
      dd.textContent = pair[1];
      dd.className = "preserve";
      list.appendChild(dt);
      list.appendChild(dd);
    });
    conflictBox.hidden = false;
    say("Not saved: this note was changed elsewhere. Your text is still in the form.");
  }

  function finish() {
    inFlight = false;
    if (pendingSubmit !== null) {
      var submitter = pendingSubmit;
      pendingSubmit = null;
      form.requestSubmit(submitter);
    } else if (dirty && !paused) {
      schedule();
    }
  }

  function save() {
    timer = null;
    if (paused) { return; }
    if (inFlight) { dirty = true; return; }
    inFlight = true;
    dirty = false;
    say("Saving…");
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json",
                "X-CSRFToken": token ? token.value : ""},
      body: JSON.stringify({fields: fields()})
    }).then(function (response) {
      return response.json().then(function (body) { return {code: response.status, body: body}; });
    }).then(function (result) {
      var body = result.body;
      if (result.code === 200) {
        document.dispatchEvent(new Event("portal:activity"));
        version.value = String(body.version);
        say(body.message);
      } else if (result.code === 409 && body.status === "conflict") {
        showConflict(body);
      } else if (result.code === 422 && body.errors) {
        say("Not saved yet: " + Object.keys(body.errors).map(function (name) {
          var label = form.querySelector("label[for='" + name + "']");
          return (label ? label.textContent : name) + ": " + body.errors[name].join(" ");
        }).join("; ") + ". Your text is still in the form.");
      } else {
        paused = true;
        say((body.message || "Not saved.") + " Your text is still in the form.");
      }
    }).catch(function () {
      dirty = true;
      say("Not saved yet (no connection). Your text is still here; we will try again.");
    }).then(finish);
  }

  function schedule() {
    if (timer !== null) { clearTimeout(timer); }
    timer = setTimeout(save, 1500);
  }

  form.addEventListener("input", function () { dirty = true; if (!paused) { schedule(); } });
  form.addEventListener("change", function () { dirty = true; if (!paused) { schedule(); } });
  form.addEventListener("submit", function (event) {
    if (timer !== null) { clearTimeout(timer); timer = null; }
    if (inFlight) {  // wait for the autosave, so the form posts the newest version number
      event.preventDefault();
      pendingSubmit = event.submitter || null;
    }
  });
  document.getElementById("autosave-keep-mine").addEventListener("click", function () {
    version.value = String(serverVersion);
    conflictBox.hidden = true;
    paused = false;
    save();
  });
})();
