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
