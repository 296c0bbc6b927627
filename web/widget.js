/*
 * coachbot web chat widget. Embed with:
 *   <script src="https://HOST/widget.js" data-bot="demo" async></script>
 * Everything lives in a Shadow DOM (no style leaks either way). The visitor id is kept in
 * localStorage; messages go out with POST, replies come back over server-sent events numbered
 * per visitor (EventSource resends Last-Event-ID, so a reconnect loses nothing). Message texts
 * are only ever set with textContent: nothing a message says is read as HTML.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__coachbotWidget) return;
  window.__coachbotWidget = true;
  var bot = script.getAttribute("data-bot") || "demo";
  var base = new URL(script.src, location.href).origin;
  var api = base + "/api/widget/" + encodeURIComponent(bot);
  var prefix = "coachbot:" + bot + ":";
  var lang = navigator.language || "fr";

  function load(key) { try { return localStorage.getItem(prefix + key); } catch (e) { return null; } }
  function save(key, value) { try { localStorage.setItem(prefix + key, value); } catch (e) { /* private mode */ } }
  function forget(key) { try { localStorage.removeItem(prefix + key); } catch (e) { /* private mode */ } }
  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text != null) node.textContent = text;
    return node;
  }
  function post(path, body) {
    body.visitor = visitor;
    body.message_id = newId();
    body.lang = lang;
    return fetch(api + path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) { return { status: r.status, data: data }; });
    });
  }

  var visitor = load("visitor") || newId();
  save("visitor", visitor);
  var config, ui = {}, events = null, unread = 0, greeted = false, typingTimer = null, backlog = [];

  fetch(api + "/config?visitor=" + encodeURIComponent(visitor) + "&lang=" + encodeURIComponent(lang))
    .then(function (r) { if (!r.ok) throw new Error("config " + r.status); return r.json(); })
    .then(function (c) {
      config = c;
      build();
      listen();
      if (window.performance && performance.mark) performance.mark("coachbot-ready");
    })
    .catch(function (e) { if (window.console) console.warn("coachbot widget:", e); });

  function t(key) { return (config.texts && config.texts[key]) || key; }
  function known() { return config.visitor && config.visitor.complete; }

  function build() {
    var host = el("div", { id: "coachbot-widget" });
    host.style.cssText = "position:fixed;bottom:0;" + (config.position === "left" ? "left" : "right") + ":0;z-index:2147483000;";
    var root = host.attachShadow({ mode: "open" });
    root.appendChild(el("link", { rel: "stylesheet", href: base + "/widget.css" }));
    var frame = el("div", { class: "cb " + (config.position === "left" ? "left" : "right") });
    frame.style.setProperty("--cb-colour", config.color);
    root.appendChild(frame);

    ui.launcher = el("button", { class: "launcher", type: "button", "aria-label": t("open"), "aria-expanded": "false", "aria-controls": "cb-panel" });
    if (config.avatar) ui.launcher.appendChild(el("img", { src: config.avatar, alt: "" }));
    else ui.launcher.appendChild(icon());
    ui.badge = el("span", { class: "badge", hidden: "" });
    ui.launcher.appendChild(ui.badge);
    ui.launcher.addEventListener("click", function () { toggle(); });

    ui.panel = el("section", { class: "panel", id: "cb-panel", role: "dialog", "aria-label": config.title, hidden: "" });
    var head = el("header", { class: "head" });
    if (config.avatar) head.appendChild(el("img", { class: "avatar", src: config.avatar, alt: "" }));
    head.appendChild(el("h2", { class: "title" }, config.title));
    ui.notMe = el("button", { class: "not-me", type: "button" }, t("not-me"));
    ui.notMe.addEventListener("click", notMe);
    head.appendChild(ui.notMe);
    var close = el("button", { class: "close", type: "button", "aria-label": t("close") }, "×");
    close.addEventListener("click", function () { toggle(false); });
    head.appendChild(close);
    ui.panel.appendChild(head);
    ui.body = el("div", { class: "body" });
    ui.panel.appendChild(ui.body);
    ui.panel.addEventListener("keydown", function (e) { if (e.key === "Escape") toggle(false); });
    frame.appendChild(ui.panel);
    frame.appendChild(ui.launcher);
    document.body.appendChild(host);
    render();
  }

  function render() {
    ui.body.textContent = "";
    ui.notMe.hidden = !config.visitor;
    if (known()) chat(); else form();
  }

  function field(name, type, label, value, autocomplete) {
    var id = "cb-" + name;
    var wrap = el("div", { class: "field" });
    wrap.appendChild(el("label", { for: id }, label));
    var input = el("input", { id: id, name: name, type: type, autocomplete: autocomplete, required: "", "aria-describedby": id + "-error" });
    input.value = value || "";
    wrap.appendChild(input);
    wrap.appendChild(el("p", { class: "error", id: id + "-error", "aria-live": "polite" }));
    return wrap;
  }

  function form() {
    var v = config.visitor || {};
    var f = el("form", { class: "lead", novalidate: "" });
    f.appendChild(el("p", { class: "welcome" }, config.welcome));
    f.appendChild(el("p", { class: "intro" }, t("form-intro")));
    f.appendChild(field("name", "text", t("name"), v.name, "given-name"));
    f.appendChild(field("email", "email", t("email"), v.email, "email"));
    f.appendChild(field("phone", "tel", t("phone"), v.phone, "tel"));
    var consent = el("label", { class: "consent" });
    var box = el("input", { type: "checkbox", name: "consent" });
    box.checked = !!v.consent;
    consent.appendChild(box);
    consent.appendChild(el("span", {}, t("consent")));
    f.appendChild(consent);
    f.appendChild(el("button", { class: "submit", type: "submit" }, t("submit")));
    f.addEventListener("submit", function (e) {
      e.preventDefault();
      var values = { name: input(f, "name").value.trim(), email: input(f, "email").value.trim(), phone: input(f, "phone").value.trim(), consent: box.checked };
      var errors = check(values);
      if (show(f, errors)) return;
      f.querySelector(".submit").disabled = true;
      post("/lead", values).then(function (r) {
        f.querySelector(".submit").disabled = false;
        if (r.status === 422) { show(f, (r.data && r.data.fields) || {}); return; }
        if (r.status >= 400) { show(f, { name: t("offline") }); return; }
        config.visitor = { complete: true, name: values.name, email: values.email, phone: values.phone, consent: values.consent };
        greeted = true;
        render();
        typing(true);
      }, function () { f.querySelector(".submit").disabled = false; show(f, { name: t("offline") }); });
    });
    ui.body.appendChild(f);
  }

  /* The browser-side check: the same rules as the server's, which has the last word. */
  function check(v) {
    var errors = {};
    if (!v.name) errors.name = t("required");
    if (!v.email) errors.email = t("required");
    else if (!/^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/.test(v.email)) errors.email = t("bad-email");
    if (!v.phone) errors.phone = t("required");
    else if (!/^\+?[0-9][0-9 .()\-]{5,19}$/.test(v.phone)) errors.phone = t("bad-phone");
    return errors;
  }

  function input(f, name) { return f.elements.namedItem(name); }

  function show(f, errors) {
    var first = null;
    ["name", "email", "phone"].forEach(function (name) {
      var box = input(f, name), message = errors[name] || "";
      f.querySelector("#cb-" + name + "-error").textContent = message;
      box.setAttribute("aria-invalid", message ? "true" : "false");
      if (message && !first) first = box;
    });
    if (first) first.focus();
    return !!first;
  }

  function chat() {
    ui.log = el("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": t("conversation") });
    ui.log.appendChild(bubble("bot", config.welcome));
    ui.typing = el("div", { class: "typing", hidden: "", "aria-label": t("typing") }, "•••");
    ui.log.appendChild(ui.typing);
    ui.body.appendChild(ui.log);
    var composer = el("form", { class: "composer" });
    ui.input = el("input", { type: "text", name: "text", "aria-label": t("placeholder"), placeholder: t("placeholder"), maxlength: "2000", autocomplete: "off" });
    composer.appendChild(ui.input);
    composer.appendChild(el("button", { type: "submit", class: "send" }, t("send")));
    composer.addEventListener("submit", function (e) {
      e.preventDefault();
      var text = ui.input.value.trim();
      if (!text) return;
      ui.input.value = "";
      say(text);
      send({ type: "text", text: text });
    });
    ui.body.appendChild(composer);
    backlog.splice(0).forEach(reply);
    if (known() && !greeted && isOpen()) greet();
  }

  function greet() {
    greeted = true;
    typing(true);
    post("/messages", { type: "open" });
  }

  /* A speech bubble, drawn (emoji fonts are not everywhere). */
  function icon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("class", "icon");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
    path.setAttribute("fill", "currentColor");
    svg.appendChild(path);
    return svg;
  }

  function bubble(who, text) {
    return el("div", { class: "msg " + who }, text);
  }

  function say(text) {
    ui.log.insertBefore(bubble("me", text), ui.typing);
    scroll();
  }

  function send(body) {
    typing(true);
    post("/messages", body).then(function (r) {
      if (r.status >= 400) { typing(false); note((r.data && r.data.fields && r.data.fields.text) || t("offline")); }
    }, function () { typing(false); note(t("offline")); });
  }

  function note(text) {
    ui.log.insertBefore(el("div", { class: "note", role: "status" }, text), ui.typing);
    scroll();
  }

  function reply(r) {
    var node = bubble("bot", r.text);
    if (r.image) {
      var figure = el("figure", { class: "image" });
      figure.appendChild(el("img", { src: base + r.image.url, alt: r.image.name }));
      var link = el("a", { href: base + r.image.url, download: r.image.name, target: "_blank", rel: "noopener" }, t("save"));
      figure.appendChild(link);
      node.appendChild(figure);
    }
    ui.log.insertBefore(node, ui.typing);
    if (r.choices && r.choices.length) {
      var group = el("div", { class: "choices", role: "group" });
      r.choices.forEach(function (c) {
        var b = el("button", { type: "button", class: "choice" }, c.label);
        b.addEventListener("click", function () {
          Array.prototype.forEach.call(group.querySelectorAll("button"), function (x) { x.disabled = true; });
          b.classList.add("picked");
          say(c.label);
          send({ type: "choice", key: c.key });
        });
        group.appendChild(b);
      });
      ui.log.insertBefore(group, ui.typing);
    }
  }

  function typing(on) {
    if (!ui.typing) return;
    ui.typing.hidden = !on;
    clearTimeout(typingTimer);
    if (on) typingTimer = setTimeout(function () { typing(false); }, 15000);
    scroll();
  }

  function scroll() { if (ui.log) ui.log.scrollTop = ui.log.scrollHeight; }

  function listen() {
    if (events) events.close();
    var after = Number(load("cursor:" + visitor) || 0);
    events = new EventSource(api + "/events?visitor=" + encodeURIComponent(visitor) + "&after=" + after);
    events.addEventListener("partial", function (e) {
      if (!ui.log) return;
      if (!ui.partial) {
        ui.partial = bubble("bot partial", "");
        ui.log.insertBefore(ui.partial, ui.typing);
      }
      ui.partial.textContent = JSON.parse(e.data).text;
      scroll();
    });
    events.addEventListener("reply", function (e) {
      if (ui.partial) { ui.partial.remove(); ui.partial = null; }
      save("cursor:" + visitor, e.lastEventId);
      var data = JSON.parse(e.data);
      if (!ui.log) { backlog = backlog.concat(data.replies); return; }
      typing(false);
      data.replies.forEach(reply);
      scroll();
      if (!isOpen()) { unread += data.replies.length; badge(); }
    });
  }

  function badge() {
    ui.badge.hidden = unread === 0;
    ui.badge.textContent = unread ? String(unread) : "";
    ui.launcher.setAttribute("aria-label", t("open") + (unread ? " (" + unread + " " + t("unread") + ")" : ""));
  }

  function isOpen() { return ui.panel && !ui.panel.hidden; }

  function toggle(open) {
    open = open == null ? !isOpen() : open;
    ui.panel.hidden = !open;
    ui.launcher.setAttribute("aria-expanded", String(open));
    if (open) {
      unread = 0;
      badge();
      if (known() && !greeted && ui.log) greet();
      var first = ui.panel.querySelector("input");
      if (first) first.focus();
    } else {
      ui.launcher.focus();
    }
  }

  /* "Ce n'est pas moi": this browser forgets the visitor and starts over with a new one. */
  function notMe() {
    forget("cursor:" + visitor);
    visitor = newId();
    save("visitor", visitor);
    config.visitor = null;
    greeted = false;
    ui.log = null;
    listen();
    render();
  }
})();
