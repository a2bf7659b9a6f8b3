// Draw every chart whose figure JSON sits in a <script type="application/json" data-chart="ID"> block.
// No inline script anywhere: the page CSP is script-src 'self'.
(function () {
  "use strict";
  function draw() {
    if (typeof Plotly === "undefined") { return; }
    var blocks = document.querySelectorAll('script[type="application/json"][data-chart]');
    Array.prototype.forEach.call(blocks, function (block) {
      var target = document.getElementById(block.getAttribute("data-chart"));
      if (!target) { return; }
      var fig = JSON.parse(block.textContent);
      Plotly.newPlot(target, fig.data || [], fig.layout || {}, {displaylogo: false, responsive: true});
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
