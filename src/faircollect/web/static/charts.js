// faircollect overview charts. The figures come from the page's
// <script type="application/json" id="overview-data"> block (never executed);
// this file draws them with the shipped ECharts (CSP allows no inline script).
(function () {
  "use strict";
  var FONT = '"Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';
  var COLORS = ["#1f5f8b", "#d9822b", "#3c8d5a", "#8a5cb8", "#b42318", "#5d7389", "#c9a227", "#2a9d8f"];

  function numbers(list) {
    return list.map(function (x) { return Number(x); });
  }

  function base() {
    return {
      color: COLORS,
      textStyle: { fontFamily: FONT, fontSize: 12 },
      grid: { left: 56, right: 72, top: 36, bottom: 28 },
      tooltip: { trigger: "axis" },
      animation: false
    };
  }

  function accountsAndAmounts(group) {
    var option = base();
    option.legend = { data: ["户数", "逾期总额（元）"], top: 0, textStyle: { fontFamily: FONT } };
    option.xAxis = { type: "category", data: group.names };
    option.yAxis = [
      { type: "value", name: "户数", nameTextStyle: { fontFamily: FONT } },
      { type: "value", name: "元", splitLine: { show: false },
        axisLabel: { formatter: function (v) { return v >= 10000 ? (v / 10000) + "万" : v; } } }
    ];
    option.series = [
      { name: "户数", type: "bar", data: group.accounts, barMaxWidth: 36 },
      { name: "逾期总额（元）", type: "line", yAxisIndex: 1, data: numbers(group.overdue), symbolSize: 6 }
    ];
    return option;
  }

  function counts(group) {
    var option = base();
    option.grid = { left: 96, right: 32, top: 12, bottom: 24 };
    option.xAxis = { type: "value" };
    option.yAxis = { type: "category", data: group.names.slice().reverse() };
    option.series = [{ type: "bar", data: group.counts.slice().reverse(), barMaxWidth: 22,
      label: { show: true, position: "right" } }];
    return option;
  }

  function shares(group) {
    var option = base();
    option.tooltip = { trigger: "item" };
    option.legend = { orient: "vertical", right: 8, top: "middle", textStyle: { fontFamily: FONT } };
    option.series = [{
      type: "pie", radius: ["40%", "70%"], center: ["40%", "50%"],
      label: { formatter: "{b} {c}" },
      data: group.names.map(function (name, i) { return { name: name, value: group.counts[i] }; })
    }];
    return option;
  }

  function draw(id, option) {
    var element = document.getElementById(id);
    if (!element || !window.echarts) { return; }
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
    element.setAttribute("data-drawn", "true");
  }

  function start() {
    var block = document.getElementById("overview-data");
    if (!block) { return; }
    var data = JSON.parse(block.textContent);
    draw("chart-bucket", accountsAndAmounts(data.bucket));
    draw("chart-stage", accountsAndAmounts(data.stage));
    draw("chart-channel", counts(data.channel));
    draw("chart-status", shares(data.status));
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
