/* The citizen's phone page, kept live (kiosk/phone.py). The server rendered the page; this
   script follows the ticket's state over Server-Sent Events (/p/<token>/events), falling back
   to polling /p/<token>/state when streams fail, and redraws the status block with the texts
   the page carries (statusLines mirrors kiosk/phone_page.py's status_lines). */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("phone-data").textContent);
  var t = data.texts, lang = data.lang, base = data.base, state = data.state;
  var $ = function (id) { return document.getElementById(id); };
  var audio = null, pollTimer = null, failures = 0;

  function fmt(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_, key) { return values[key] === undefined ? "" : values[key]; });
  }

  function statusLines(s) {
    var place = (s.place || {})[lang] || "";
    if (s.state === "waiting") {
      var ahead = s.ahead, detail;
      var headline = ahead === 0 ? t.next : ahead === 1 ? t.ahead_one : fmt(t.ahead, {n: ahead === null ? "—" : ahead});
      if (s.eta_range) {  // nobody ahead while every window is busy is a wait too
        detail = s.eta_range[0] === s.eta_range[1] ? fmt(t.eta, {m: s.eta_range[0]})
          : fmt(t.eta_range, {lo: s.eta_range[0], hi: s.eta_range[1]});
      } else if (ahead === 0) detail = t.next_detail;
      else if (s.eta_minutes !== null) detail = fmt(t.eta, {m: Math.max(1, s.eta_minutes)});
      else detail = t.eta_unknown;
      return [headline, detail, s.note && t[s.note] ? t[s.note] : ""];
    }
    if (s.state === "called") {
      return [fmt(t.called, {place: place}), t.called_detail, s.recalls ? fmt(t.recalled, {n: s.recalls + 1}) : ""];
    }
    if (s.state === "serving" || s.state === "held") {
      return [fmt(t[s.state], {place: place}), fmt(t[s.state + "_detail"], {place: place}), ""];
    }
    if (t[s.state + "_detail"]) return [t[s.state], t[s.state + "_detail"], ""];
    return [fmt(t.unknown, {state: s.state}), "", ""];
  }

  function alertCalled() {
    if (navigator.vibrate) { try { navigator.vibrate([400, 150, 400, 150, 400]); } catch (e) { /* not allowed */ } }
    if (!audio) return;
    try {  // a short two-tone chime, made here: no sound file to download
      [0, 0.35].forEach(function (at, i) {
        var osc = audio.createOscillator(), gain = audio.createGain();
        osc.frequency.value = i ? 660 : 880;
        gain.gain.setValueAtTime(0.25, audio.currentTime + at);
        gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + at + 0.3);
        osc.connect(gain); gain.connect(audio.destination);
        osc.start(audio.currentTime + at); osc.stop(audio.currentTime + at + 0.3);
      });
    } catch (e) { /* the phone refused sound */ }
  }

  function show(s) {
    var before = state;
    state = s;
    var lines = statusLines(s);
    $("status").className = "status state-" + s.state;
    $("headline").textContent = lines[0];
    $("detail").textContent = lines[1];
    $("extra").textContent = lines[2];
    $("extra").hidden = !lines[2];
    $("rate").hidden = s.rating !== "open";
    $("sound").hidden = s.state === "done" || s.state === "no_show" || s.state === "void";
    $("rated").hidden = s.rating !== "rated";
    $("notify").hidden = !(s.notify.enabled && (s.state === "waiting" || s.state === "held"));
    $("notify-form").hidden = !!s.notify.phone;
    $("notify-saved").hidden = !s.notify.phone;
    if (s.notify.phone) $("notify-phone").textContent = fmt(t.notify_saved, {phone: s.notify.phone});
    var newCall = s.state === "called" && (before.state !== "called" || s.recalls !== before.recalls);
    if (newCall) alertCalled();
    document.title = s.number + " · " + lines[0];
  }

  function poll() {
    fetch(base + "/state", {cache: "no-store"}).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    }).then(function (s) { $("live").hidden = true; show(s); }).catch(function () { $("live").hidden = false; });
  }

  function startPolling() {
    if (pollTimer === null) { poll(); pollTimer = setInterval(poll, 10000); }
  }

  function listen() {
    if (!window.EventSource) { startPolling(); return; }
    var source = new EventSource(base + "/events");
    source.addEventListener("state", function (event) {
      failures = 0; $("live").hidden = true;
      if (pollTimer !== null) { clearInterval(pollTimer); pollTimer = null; }
      show(JSON.parse(event.data));
    });
    source.onerror = function () {
      failures += 1;
      if (failures >= 3) { source.close(); startPolling(); setTimeout(listen, 60000); }
    };
  }

  function post(path, body, method) {
    return fetch(base + path, {method: method || "POST", headers: {"Content-Type": "application/json"},
                               body: body === undefined ? undefined : JSON.stringify(body)})
      .then(function (r) {
        if (r.status === 204) return {ok: true, body: {}};
        return r.json().then(function (b) { return {ok: r.ok, body: b}; });
      });
  }

  var level = 0;
  function sendRating() {
    var reasons = [].map.call(document.querySelectorAll("#bad input:checked"), function (e) { return e.value; });
    post("/rating", {level: level, reasons: level <= data.bad_level ? reasons : [], comment: $("comment").value})
      .then(function (res) {
        if (res.ok) { state.rating = "rated"; show(state); return; }
        $("rate-result").textContent = fmt(t.rate_failed, {why: res.body.detail || ""});
      }).catch(function () { $("rate-result").textContent = fmt(t.rate_failed, {why: ""}); });
  }
  [].forEach.call(document.querySelectorAll(".level"), function (button) {
    button.addEventListener("click", function () {
      level = Number(button.getAttribute("data-level"));
      if (level <= data.bad_level) { $("bad").hidden = false; $("comment").focus(); } else { sendRating(); }
    });
  });
  $("send-rating").addEventListener("click", sendRating);

  $("notify-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var phone = $("phone").value.replace(/[\s-]/g, "");
    if (!/^(\+86)?1[3-9]\d{9}$/.test(phone)) { $("notify-msg").textContent = t.notify_bad; return; }
    post("/notify", {phone: phone}).then(function (res) {
      if (!res.ok) { $("notify-msg").textContent = fmt(t.notify_failed, {why: res.body.detail || ""}); return; }
      $("notify-msg").textContent = "";
      state.notify.phone = res.body.phone; show(state);
    }).catch(function () { $("notify-msg").textContent = fmt(t.notify_failed, {why: ""}); });
  });
  $("notify-cancel").addEventListener("click", function () {
    post("/notify", undefined, "DELETE").then(function () { state.notify.phone = null; show(state); });
  });

  $("sound").addEventListener("click", function () {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (Context && !audio) { audio = new Context(); }  // phones allow sound only after a tap
    $("sound").textContent = t.sound_on;
    $("sound").disabled = true;
  });

  listen();
}());
