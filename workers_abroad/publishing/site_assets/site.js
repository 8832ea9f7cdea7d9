// Workers Abroad pages: draw every chart from the JSON beside it, and fit charts to paper when printing.
(function () {
  "use strict";
  // A4 is 210 mm wide; the print stylesheet's @page margins are 15 mm each side, leaving 180 mm,
  // which is 680 CSS px at 96 px per inch. Charts are drawn a little narrower so nothing touches the edge.
  var PRINT_WIDTH = 660;
  var printing = false;
  // The toolbar keeps what a reader uses: save as PNG, and reset after a zoom. Each button is a
  // tab stop, and the full toolbar made ten per chart (lasso, share...).
  var CONFIG = {
    responsive: true,
    displaylogo: false,
    modeBarButtons: [["toImage", "resetScale2d"]],
  };

  // The drawing is hidden from screen readers: its tick texts read as noise. The table the
  // chart's aria-describedby names is its text alternative. Plotly can redraw its SVGs, so
  // this runs after every draw.
  function hideDrawing(div) {
    div.querySelectorAll("svg.main-svg").forEach(function (svg) {
      svg.setAttribute("aria-hidden", "true");
      svg.setAttribute("focusable", "false");
    });
  }

  function charts() {
    return Array.prototype.slice.call(document.querySelectorAll(".wa-chart"));
  }

  function draw() {
    charts().forEach(function (div) {
      // The chart's data is the JSON block the builder wrote, never another element that took its id.
      var block = document.getElementById(div.dataset.spec);
      if (!block || block.tagName !== "SCRIPT" || block.type !== "application/json") { return; }
      var spec = JSON.parse(block.textContent);
      if (typeof Plotly === "undefined") {
        div.textContent = "The interactive chart needs plotly.js, which did not load; its data is in the table below.";
        return;
      }
      div.dataset.screenWidth = spec.layout && spec.layout.width ? String(spec.layout.width) : "";
      Plotly.newPlot(div, spec.data, spec.layout || {}, CONFIG).then(function () {
        hideDrawing(div);
        div.on("plotly_afterplot", function () { hideDrawing(div); });
      });
      refitWhenResized(div);
    });
  }

  // A chart drawn while its page was hidden (projector mode shows the cells once the kernel is
  // ready) or whose column changed width is refitted; plotly itself listens to the window only.
  function refitWhenResized(div) {
    if (typeof ResizeObserver === "undefined") { return; }
    var width = div.clientWidth;
    new ResizeObserver(function () {
      if (div.clientWidth !== width && div.clientWidth > 0 && !printing && div.data) {
        width = div.clientWidth;
        Plotly.Plots.resize(div);
      }
    }).observe(div);
  }

  function toPrint() {
    if (printing) { return; }
    printing = true;
    document.querySelectorAll("details.wa-data-details").forEach(function (d) {
      d.dataset.wasOpen = d.open ? "1" : "";
      d.open = true;
    });
    charts().forEach(function (div) {
      if (div.data && typeof Plotly !== "undefined") {
        var width = div.dataset.screenWidth ? Math.min(Number(div.dataset.screenWidth), PRINT_WIDTH) : PRINT_WIDTH;
        // Laid out for paper already (print media), the chart gets no more than its column.
        var room = window.matchMedia("print").matches ? div.parentElement.clientWidth : 0;
        if (room > 0) { width = Math.min(width, room); }
        // A chart drawn for a fixed width wider than the paper would lose its layout (labels
        // placed for that width collide): the paper gets its table instead.
        var figure = div.closest(".wa-figure");
        if (figure && div.dataset.screenWidth && Number(div.dataset.screenWidth) > PRINT_WIDTH) {
          figure.classList.add("wa-print-table");
        }
        Plotly.relayout(div, {width: width, autosize: false});
      }
    });
  }

  function toScreen() {
    if (!printing) { return; }
    printing = false;
    document.querySelectorAll("details.wa-data-details").forEach(function (d) {
      d.open = d.dataset.wasOpen === "1";
    });
    document.querySelectorAll(".wa-print-table").forEach(function (figure) {
      figure.classList.remove("wa-print-table");
    });
    charts().forEach(function (div) {
      if (div.data && typeof Plotly !== "undefined") {
        // A chart with a width of its own (the house style fixes every chart's) gets it back; only
        // a chart without one stretches to its column again.
        var width = div.dataset.screenWidth ? Number(div.dataset.screenWidth) : null;
        var back = Plotly.relayout(div, {width: width, autosize: !width});
        if (!width) { back.then(function () { Plotly.Plots.resize(div); }); }
      }
    });
  }

  // A code block or output wider than its box scrolls sideways: it gets a tab stop (so a
  // keyboard can scroll it) while, and only while, it overflows.
  var SCROLLERS = "main pre, main .jp-OutputArea-output";
  function markScrollers() {
    document.querySelectorAll(SCROLLERS).forEach(function (box) {
      // tabindex -1, not none: chromium makes a box that scrolls by a fraction of a pixel a tab
      // stop of its own, which would then do nothing.
      box.setAttribute("tabindex", box.scrollWidth > box.clientWidth + 1 ? "0" : "-1");
    });
  }

  function start() {
    draw();
    markScrollers();
    var resizing = null;
    window.addEventListener("resize", function () {
      window.clearTimeout(resizing);
      resizing = window.setTimeout(markScrollers, 200);
    });
    // A box's overflow changes once the page's fonts and images are in: look again then.
    window.addEventListener("load", markScrollers);
    // And just before Tab moves the focus, so no stop is left on a box that no longer scrolls.
    document.addEventListener("keydown", function (event) {
      if (event.key === "Tab") { markScrollers(); }
    }, true);
    if (document.fonts && document.fonts.ready) { document.fonts.ready.then(markScrollers); }
    window.addEventListener("beforeprint", toPrint);
    window.addEventListener("afterprint", toScreen);
    // Print preview and emulated print media (the browser test) switch the media query without print events.
    var media = window.matchMedia("print");
    var onChange = function (event) { if (event.matches) { toPrint(); } else { toScreen(); } };
    if (media.addEventListener) { media.addEventListener("change", onChange); } else { media.addListener(onChange); }
    if (media.matches) { toPrint(); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
