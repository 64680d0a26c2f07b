// faircollect managers' reports: draws the chart of /reports/NAME from the page's
// <script type="application/json" id="report-data"> block (never executed) with the
// shipped ECharts; CSP allows no inline script.
(function () {
  "use strict";
  var FONT = '"Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';
  var COLORS = ["#1f5f8b", "#d9822b", "#3c8d5a", "#8a5cb8", "#b42318", "#5d7389", "#c9a227", "#2a9d8f"];

  function option(spec) {
    var axes = (spec.axes || [""]).map(function (name, i) {
      var axis = { type: "value", name: name, nameTextStyle: { fontFamily: FONT } };
      if (i > 0) { axis.splitLine = { show: false }; }
      return axis;
    });
    return {
      color: COLORS,
      animation: false,
      textStyle: { fontFamily: FONT, fontSize: 12 },
      tooltip: { trigger: "axis" },
      legend: { top: 0, textStyle: { fontFamily: FONT } },
      grid: { left: 64, right: 64, top: 40, bottom: 28 },
      xAxis: { type: "category", data: spec.names },
      yAxis: axes,
      series: spec.series.map(function (s) {
        var series = { name: s.name, type: s.type, data: s.data, yAxisIndex: s.axis || 0 };
        if (s.type === "bar") { series.barMaxWidth = 36; }
        if (s.stack) { series.stack = s.stack; }
        if (s.type === "line") { series.symbolSize = 6; series.connectNulls = false; }
        return series;
      })
    };
  }

  function start() {
    var block = document.getElementById("report-data");
    var element = document.getElementById("report-chart");
    if (!block || !element || !window.echarts) { return; }
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(option(JSON.parse(block.textContent)));
    window.addEventListener("resize", function () { chart.resize(); });
    element.setAttribute("data-drawn", "true");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
