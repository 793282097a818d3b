/* The Devices & tokens page: the devices table redrawn on each device event, the token's copy
   button, and the token form showing only the fields its role uses. */
"use strict";

(function devicesTable() {
  var root = document.getElementById("devices");
  if (!root) { return; }
  var busy = false, again = false;

  /* One fetch at a time; an event arriving meanwhile asks for one more right after. */
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    Console.send(root.getAttribute("data-table"))  /* JSON accept: a lost session is a 401, not the sign-in page */
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        document.getElementById("device-table").innerHTML = html;
        root.setAttribute("data-refreshed", String(Date.now()));
      }).catch(function () {}).finally(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
  }

  var source = new EventSource(root.getAttribute("data-events"));
  var conn = document.getElementById("conn");
  source.onopen = function () { conn.hidden = true; refresh(); };
  source.addEventListener("devstate", refresh);
  source.onerror = function () { conn.hidden = false; };
  /* A device that goes quiet sends nothing: look again now and then ("2 min ago", offline). */
  setInterval(refresh, 20000);
}());

(function copyToken() {
  var button = document.getElementById("copy-token");
  if (!button) { return; }
  var field = document.getElementById("token-value");
  button.addEventListener("click", function () {
    field.select();
    var done = function () { button.textContent = button.getAttribute("data-copied"); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
}());

(function tokenForm() {
  var role = document.getElementById("token-role");
  if (!role) { return; }
  var windowRoles = ["counter", "rater"];
  function show() {
    var byWindow = windowRoles.indexOf(role.value) >= 0;
    document.getElementById("window-field").hidden = !byWindow;
    document.getElementById("token-window").disabled = !byWindow;
    document.getElementById("device-field").hidden = byWindow;
    document.getElementById("token-device").disabled = byWindow;
  }
  role.addEventListener("change", show);
  show();
}());
