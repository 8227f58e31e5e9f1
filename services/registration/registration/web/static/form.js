// Progressive enhancement only: every page works without this file.
// - mirrors what is typed into localStorage, so a dropped connection or a reload loses nothing;
// - reloads the district/subdistrict choices when the province/district changes;
// - focuses the error summary; prints the receipt.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var PREFIX = "debt-reg-draft:";

  function storable(el) {
    return el.name && el.name !== "csrf" && el.name !== "action" && el.type !== "file" &&
      el.type !== "hidden" && el.type !== "submit" && el.type !== "button";
  }

  // Times are kept on the server's clock (a phone's clock may be minutes or years off), so the page can
  // tell whether its local copy is newer than the draft the server last saved.
  function serverTime(form) {
    var offset = Date.now() - Number(form.dataset.serverNow || Date.now());
    return Date.now() - offset;
  }

  function save(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!storable(el)) return;
      if (el.type === "checkbox") { data[el.name + "=" + el.value] = el.checked; }
      else { data[el.name] = el.value; }
    });
    try { localStorage.setItem(PREFIX + form.dataset.draft, JSON.stringify({ at: serverTime(form), data: data })); }
    catch (e) { /* private mode or full storage: the server-side draft still has each saved step */ }
  }

  function restore(form) {
    var saved;
    try { saved = JSON.parse(localStorage.getItem(PREFIX + form.dataset.draft) || "null"); } catch (e) { saved = null; }
    if (!saved || !saved.data) return;
    // Only a copy typed after the server's last save is used (the connection dropped before it arrived).
    if (saved.at <= Number(form.dataset.savedAt || 0)) return;
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!storable(el)) return;
      if (el.type === "checkbox") {
        var checked = saved.data[el.name + "=" + el.value];
        if (typeof checked === "boolean") el.checked = checked;
        return;
      }
      var value = saved.data[el.name];
      if (typeof value !== "string") return;
      if (el.tagName === "SELECT" && value && !el.querySelector('option[value="' + CSS.escape(value) + '"]')) return;
      el.value = value;
    });
  }

  function fillSelect(select, items, blank) {
    var lang = document.documentElement.lang;
    select.innerHTML = "";
    var first = document.createElement("option");
    first.value = ""; first.textContent = blank;
    select.appendChild(first);
    items.forEach(function (a) {
      var o = document.createElement("option");
      o.value = a.code; o.textContent = lang === "en" ? a.en : a.th;
      select.appendChild(o);
    });
  }

  function cascade(from, to, also) {
    var parent = document.getElementById(from), child = document.getElementById(to);
    if (!parent || !child) return;
    parent.addEventListener("change", function () {
      var blank = child.options.length ? child.options[0].textContent : "";
      if (also) { var g = document.getElementById(also); if (g) fillSelect(g, [], g.options[0].textContent); }
      if (!parent.value) { fillSelect(child, [], blank); return; }
      fetch("/register/areas?parent=" + encodeURIComponent(parent.value), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (items) { fillSelect(child, items, blank); })
        .catch(function () { /* offline: the "show districts" button is back */ document.documentElement.classList.remove("js"); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-draft]"), function (form) {
      restore(form);
      form.addEventListener("input", function () { save(form); });
      form.addEventListener("change", function () { save(form); });
    });
    if (document.querySelector("[data-clear-drafts]")) {
      Object.keys(localStorage).forEach(function (k) { if (k.indexOf(PREFIX) === 0) localStorage.removeItem(k); });
    }
    cascade("f-debtor-address-province_code", "f-debtor-address-district_code", "f-debtor-address-subdistrict_code");
    cascade("f-debtor-address-district_code", "f-debtor-address-subdistrict_code");
    var summary = document.querySelector("[data-focus]");
    if (summary) summary.focus();
    Array.prototype.forEach.call(document.querySelectorAll(".js-print"), function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
  });
})();
