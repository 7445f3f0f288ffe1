// A strength meter under the new-password field. It only reads what is typed or pasted (it never
// blocks pasting or password managers) and asks the server, which applies the same rules as on
// submit: length, the 10,000 most common passwords, the person's own name, and zxcvbn's estimate.
(function () {
  "use strict";
  var input = document.querySelector('input[autocomplete="new-password"]');
  if (!input || !window.fetch) { return; }
  var tokenInput = input.form && input.form.querySelector('input[name="csrf_token"]');
  var wrap = document.createElement("div");
  wrap.className = "password-meter";
  var meter = document.createElement("meter");
  meter.min = 0; meter.max = 4; meter.low = 2; meter.high = 3; meter.optimum = 4; meter.value = 0;
  meter.id = input.id + "-meter";
  var label = document.createElement("span");
  label.id = input.id + "-strength";
  label.setAttribute("aria-live", "polite");
  meter.setAttribute("aria-labelledby", label.id);
  wrap.appendChild(meter); wrap.appendChild(label);
  input.insertAdjacentElement("afterend", wrap);
  var timer = null, seq = 0;
  function check() {
    var mine = ++seq, value = input.value;
    if (!value) { meter.value = 0; label.textContent = ""; return; }
    fetch("/password/strength", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "X-CSRFToken": tokenInput ? tokenInput.value : "" },
      body: JSON.stringify({ password: value })
    }).then(function (r) { return r.json(); }).then(function (data) {
      if (mine !== seq) { return; }
      meter.value = data.score;
      label.textContent = data.label || ("Strength: " + data.message);
    }).catch(function () { label.textContent = ""; });
  }
  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(check, 350); });
})();
