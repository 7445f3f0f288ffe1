// Passkeys: add one on the security page, or use one as the second sign-in step.
// The server sends WebAuthn options as JSON (base64url for binary fields); this file converts
// them for navigator.credentials and posts the answer back. No inline script (CSP).
(function () {
  "use strict";
  function toBytes(b64url) {
    var b64 = b64url.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    var raw = atob(b64), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out.buffer;
  }
  function toB64url(buffer) {
    var bytes = new Uint8Array(buffer), s = "";
    for (var i = 0; i < bytes.length; i++) { s += String.fromCharCode(bytes[i]); }
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function post(url, csrf, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify(body || {})
    }).then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); });
  }
  function showError(box, message) {
    var p = box.querySelector("#passkey-error");
    p.textContent = message; p.hidden = false;
  }
  function credentialJson(cred) {
    var r = cred.response, out = { id: cred.id, rawId: toB64url(cred.rawId), type: cred.type, response: {
      clientDataJSON: toB64url(r.clientDataJSON) } };
    if (r.attestationObject) { out.response.attestationObject = toB64url(r.attestationObject); }
    if (r.authenticatorData) {
      out.response.authenticatorData = toB64url(r.authenticatorData);
      out.response.signature = toB64url(r.signature);
      if (r.userHandle) { out.response.userHandle = toB64url(r.userHandle); }
    }
    return out;
  }
  var reg = document.getElementById("passkey-register");
  if (reg) {
    document.getElementById("passkey-register-button").addEventListener("click", function () {
      var csrf = reg.dataset.csrf;
      post(reg.dataset.optionsUrl, csrf).then(function (res) {
        var o = res.data;
        o.challenge = toBytes(o.challenge);
        o.user.id = toBytes(o.user.id);
        (o.excludeCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
        return navigator.credentials.create({ publicKey: o });
      }).then(function (cred) {
        var name = document.getElementById("passkey-name").value;
        return post(reg.dataset.registerUrl, csrf, { name: name, credential: credentialJson(cred) });
      }).then(function (res) {
        if (res.ok) { window.location.assign(res.data.redirect); } else { showError(reg, res.data.error); }
      }).catch(function () { showError(reg, "The passkey was not added."); });
    });
  }
  var login = document.getElementById("passkey-sign-in");
  if (login) {
    document.getElementById("passkey-sign-in-button").addEventListener("click", function () {
      var csrf = login.dataset.csrf;
      post(login.dataset.optionsUrl, csrf).then(function (res) {
        var o = res.data;
        o.challenge = toBytes(o.challenge);
        (o.allowCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
        return navigator.credentials.get({ publicKey: o });
      }).then(function (cred) {
        return post(login.dataset.verifyUrl, csrf, { credential: credentialJson(cred) });
      }).then(function (res) {
        if (res.ok) { window.location.assign(res.data.redirect); } else { showError(login, res.data.error); }
      }).catch(function () { showError(login, "The passkey did not work. Try again or use a code."); });
    });
  }
})();
