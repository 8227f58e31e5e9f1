/* Dashboards: draws the daily chart (ECharts) and keeps every figure current from the server-sent event
   stream. EventSource reconnects by itself (the server's `retry`) and sends Last-Event-ID, the version it
   last saw, so an unchanged dashboard is not sent again. No inline script or style (CSP). */
(function () {
  "use strict";
  var root = document.getElementById("dashboard");
  var initial = document.getElementById("dashboard-data");
  if (!root || !initial) return;
  var lang = root.getAttribute("data-lang") || "th";
  var data = JSON.parse(initial.textContent);
  var live = document.getElementById("live");
  var liveText = document.getElementById("live-text");

  function number(n) { return Number(n).toLocaleString("en-US"); }
  function baht(satang) {
    var sign = satang < 0 ? "-" : "";
    var s = Math.abs(satang);
    var part = String(s % 100);
    return sign + number(Math.floor(s / 100)) + "." + (part.length < 2 ? "0" + part : part);
  }
  function show(el, value) { el.textContent = el.hasAttribute("data-satang") ? baht(value) : number(value); }
  function share(v) { return v === null || v === undefined ? "–" : v.toFixed(1) + "%"; }

  var chart = null;
  function thaiDay(day) {
    var p = day.split("-");
    var y = lang === "en" ? Number(p[0]) : Number(p[0]) + 543;
    return Number(p[2]) + "/" + Number(p[1]) + "/" + String(y).slice(-2);
  }
  function drawChart() {
    var el = document.getElementById("chart-daily");
    if (!el || typeof echarts === "undefined" || !data.days.length) return;
    if (!chart) chart = echarts.init(el, null, { renderer: "svg" });
    var series = Object.keys(data.series).map(function (name) {
      return { name: data.series_labels[name], type: "line", smooth: false, showSymbol: data.days.length < 20,
               data: data.series[name] };
    });
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: "Sarabun, Tahoma, sans-serif" },
      color: ["#143066", "#6b8fd6", "#e08a00", "#2e7d32", "#8e24aa"],
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", bottom: 0 },
      grid: { left: 44, right: 12, top: 12, bottom: 56 },
      xAxis: { type: "category", data: data.days.map(thaiDay) },
      yAxis: { type: "value", minInterval: 1 },
      series: series
    }, true);
  }

  function update(next) {
    data = next;
    document.querySelectorAll("[data-figure]:not([data-child])").forEach(function (el) {
      var name = el.getAttribute("data-figure");
      if (name in next.figures) show(el, next.figures[name]);
    });
    document.querySelectorAll("[data-share]:not([data-child])").forEach(function (el) {
      el.textContent = share(next.share);
    });
    next.children.forEach(function (c) {
      document.querySelectorAll('[data-child="' + c.code + '"]').forEach(function (el) {
        if (el.hasAttribute("data-share")) { el.textContent = share(c.share); return; }
        var name = el.getAttribute("data-figure");
        if (name in c.figures) show(el, c.figures[name]);
      });
      var tile = document.querySelector('[data-tile="' + c.code + '"]');
      if (tile) {
        tile.querySelector("rect").setAttribute("class", "tile shade-" + c.shade);
        var texts = tile.querySelectorAll("text");
        texts.forEach(function (t) { t.classList.toggle("on-dark", c.shade >= 3); });
        texts[1].textContent = number(c.figures.registrants);
        tile.querySelector("title").textContent = c.name + ": " + number(c.figures.registrants);
      }
    });
    drawChart();
  }

  function status(ok) {
    live.classList.toggle("off", !ok);
    live.classList.toggle("on", ok);
    liveText.textContent = live.getAttribute("data-" + lang + (ok ? "-live" : "-off"));
  }

  drawChart();
  window.addEventListener("resize", function () { if (chart) chart.resize(); });
  if (!window.EventSource) return;
  var source = new EventSource(root.getAttribute("data-stream"));
  source.addEventListener("open", function () { status(true); });
  source.addEventListener("error", function () { status(false); });
  source.addEventListener("figures", function (event) {
    status(true);
    update(JSON.parse(event.data));
    live.classList.add("flash");
    setTimeout(function () { live.classList.remove("flash"); }, 600);
  });
})();
