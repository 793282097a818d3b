/* The hall console's own script: no framework. Helpers for pages, and the Live page. */
"use strict";

var Console = (function () {
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.content : "";

  /* fetch() with the session's CSRF token; a lost session goes back to the sign-in page. */
  function send(url, options) {
    options = options || {};
    options.headers = Object.assign({"X-CSRF-Token": csrf, "Accept": "application/json"}, options.headers || {});
    options.credentials = "same-origin";
    return fetch(url, options).then(function (response) {
      if (response.status === 401) {
        location.href = "/console/login?next=" + encodeURIComponent(location.pathname + location.search);
        throw new Error("signed out");
      }
      return response;
    });
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { node.textContent = attrs[k]; } else { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { node.appendChild(c); } });
    return node;
  }

  function duration(seconds, w) {
    if (seconds === null || seconds === undefined) { return "—"; }
    var m = Math.floor(seconds / 60), s = Math.floor(seconds % 60);
    if (m >= 60) { return Math.floor(m / 60) + ":" + String(m % 60).padStart(2, "0") + ":" + String(s).padStart(2, "0"); }
    return m + ":" + String(s).padStart(2, "0");
  }

  return {send: send, el: el, duration: duration, csrf: csrf};
}());

/* The Live page: redraw from live.json on each hall event. */
(function () {
  var root = document.getElementById("live");
  if (!root) { return; }
  var W = JSON.parse(document.getElementById("words").textContent);
  var en = document.documentElement.lang === "en";
  var el = Console.el, duration = Console.duration;
  var state = null, fetchedAt = 0, busy = false, again = false;

  function name(o) { return en ? o.en : o.zh; }

  function queueRow(q) {
    var status = q.open ? el("span", {"class": "pill ok", text: W.open})
      : el("span", {"class": "pill warn", text: W["closed_" + q.closed_reason] || q.closed_reason || W.paused});
    var eta = q.eta_minutes === null ? "—" : q.eta_minutes + " " + W.minutes;
    var longest = el("td", {"class": "num", "data-since": q.longest_s === null ? "" : q.longest_s},
                     [document.createTextNode(duration(q.longest_s))]);
    return el("tr", {"data-service": q.code}, [
      el("td", {"class": "service", title: name(q)}, [el("span", {"class": "badge", text: q.prefix}),
                                                      document.createTextNode(name(q))]),
      el("td", {"class": "num waiting", text: String(q.waiting)}), longest,
      el("td", {"class": "num", text: eta}),
      el("td", {"class": "num", text: q.quota ? q.issued + " / " + q.quota : String(q.issued)}),
      el("td", {}, [status])]);
  }

  /* A window's pill: open (a clerk signed in), paused, or not staffed (nobody signed in). */
  var STAFFING = {open: ["ok", "open"], paused: ["warn", "paused"], unstaffed: ["muted", "unstaffed"]};

  function windowCard(w) {
    var label = (w.kind === "desk" ? W.desk : W.window) + " " + w.number;
    var staffing = STAFFING[w.staffing] || STAFFING[w.paused ? "paused" : "open"];
    var cls = "win" + (w.paused ? " paused" : w.ticket ? "" : " idle") + (w.staffing === "unstaffed" ? " unstaffed" : "");
    var now = w.ticket
      ? el("div", {"class": "now"}, [document.createTextNode(w.ticket.number),
          el("small", {"data-since": w.ticket.for_s, text: W[w.ticket.state] + " " + duration(w.ticket.for_s)})])
      : el("div", {"class": "now muted", text: W.idle});
    return el("div", {"class": cls, "data-window": w.number}, [
      el("div", {"class": "head"}, [el("span", {"class": "name", title: name(w), text: label}),
        el("span", {"class": "pill " + staffing[0], text: W[staffing[1]]})]),
      el("div", {"class": "clerk", text: w.clerk ? w.clerk.code + " " + w.clerk.name : W.no_clerk}), now]);
  }

  function draw() {
    var tbody = document.querySelector("#queues tbody");
    tbody.replaceChildren.apply(tbody, state.queues.map(queueRow));
    var grid = document.getElementById("windows");
    grid.replaceChildren.apply(grid, state.windows.map(windowCard));
    var list = document.getElementById("alerts");
    var items = state.alerts.map(function (a) {
      var text = en ? a.en : a.zh;
      var attrs = a.detail ? {"class": a.level, title: a.detail} : {"class": a.level};  /* a device's own words */
      return el("li", attrs, [a.link ? el("a", {href: a.link, text: text}) : document.createTextNode(text)]);
    });
    list.replaceChildren.apply(list, items.length ? items : [el("li", {"class": "muted", text: W.no_alerts})]);
    document.getElementById("updated").textContent = state.day + " " + state.clock;
    root.setAttribute("data-event", String(state.last_event));
  }

  /* Durations go on counting between refreshes, from the server's figures. */
  function tick() {
    if (!state) { return; }
    var extra = (Date.now() - fetchedAt) / 1000;
    document.querySelectorAll("[data-since]").forEach(function (node) {
      var since = node.getAttribute("data-since");
      if (since === "") { return; }
      var text = duration(Number(since) + extra);
      if (node.tagName === "SMALL") { text = node.textContent.split(" ")[0] + " " + text; }
      node.textContent = text;
    });
  }

  /* One fetch at a time; an event arriving meanwhile asks for one more right after. */
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    Console.send(root.getAttribute("data-json")).then(function (r) { return r.json(); }).then(function (data) {
      state = data; fetchedAt = Date.now(); draw();
    }).catch(function () {}).finally(function () {
      busy = false;
      if (again) { again = false; refresh(); }
    });
  }

  function listen() {
    var source = new EventSource(root.getAttribute("data-events"));
    var conn = document.getElementById("conn");
    source.onopen = function () { conn.hidden = true; refresh(); };
    source.onmessage = refresh;
    ["ticket", "call", "queue", "catalog", "clerk", "device", "devstate", "case", "window", "service", "rating"].forEach(function (t) {
      source.addEventListener(t, refresh);
    });
    source.onerror = function () { conn.hidden = false; };
  }

  refresh();
  listen();
  setInterval(tick, 1000);
}());
