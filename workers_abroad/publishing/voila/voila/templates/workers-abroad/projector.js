// Voila's loading helpers (voila/templates/base/voila_setup.macro.html.j2, BSD-3-Clause, Voila
// contributors) as a file, so the projector page's policy can name this script by its hash
// instead of allowing every inline script. Progressive rendering is off in projector mode.
window.voila_heartbeat = function () {
  console.log("Ok, voila is still executing...");
};
window.update_loading_text = function (cell_index, cell_count, text) {
  var spinner = document.getElementById("loading");
  if (spinner && spinner.style.display === "none") {
    spinner.style.display = "flex";
  }
  var el = document.getElementById("loading_text");
  if (el) {
    el.textContent = text || "Executing " + cell_index + " of " + cell_count;
  }
};
window.display_cells = function () {
  if (!window.themeLoaded) {
    window.cellLoaded = true;
    return;
  }
  var el = document.getElementById("loading");
  if (el) {
    el.parentNode.removeChild(el);
  }
  el = document.getElementById("rendered_cells");
  if (el) {
    el.style.display = "";
  }
};
window.voila_process = window.update_loading_text;
window.voila_finish = window.display_cells;

// Slider handles named for screen readers: ipywidgets' slider sets role=slider but no name, and
// announces its raw value (0.5) while the readout shows 50%. Each handle gets the label shown
// above its slider (helpers/widgets.py's .wa-control-label; else the slider's own label or
// tooltip) as aria-label, and the readout's text as aria-valuetext, again whenever it changes.
(function () {
  var SLIDERS = ".widget-slider, .jupyter-widget-slider, .widget-hslider, .widget-inline-hbox";
  var pending = false;

  function labelOf(widget) {
    var before = widget.previousElementSibling;
    var above = before ? before.querySelector(".wa-control-label") : null;
    var own = widget.querySelector(".widget-label");
    var texts = [above && above.textContent, own && own.textContent, widget.getAttribute("title")];
    for (var i = 0; i < texts.length; i++) {
      var text = (texts[i] || "").trim();
      if (text) { return text; }
    }
    return "";
  }

  function setIfChanged(element, name, value) {
    if (value && element.getAttribute(name) !== value) { element.setAttribute(name, value); }
  }

  function nameSliders() {
    pending = false;
    document.querySelectorAll(".noUi-handle[role='slider']").forEach(function (handle) {
      var widget = handle.closest(SLIDERS);
      if (!widget) { return; }
      var readout = widget.querySelector(".widget-readout");
      setIfChanged(handle, "aria-label", labelOf(widget));
      setIfChanged(handle, "aria-valuetext", readout ? readout.textContent.trim() : "");
    });
  }

  new MutationObserver(function () {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(nameSliders);
    }
  }).observe(document.documentElement, {
    subtree: true, childList: true, characterData: true,
    attributes: true, attributeFilter: ["aria-valuenow"],
  });
})();
