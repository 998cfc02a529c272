// Filters the vignette rows: by outcome (all, any outcome, misses, errors) and by run.
// Without this script every row stays visible; nothing else on the page needs it.
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll("details.vrow"));
  var buttons = Array.prototype.slice.call(document.querySelectorAll("button[data-filter]"));
  var runSelect = document.getElementById("run-filter");
  var shown = document.getElementById("shown-count");
  var state = { filter: "all", run: "all" };

  function apply() {
    var count = 0;
    rows.forEach(function (row) {
      var visible =
        (state.run === "all" || row.getAttribute("data-run") === state.run) &&
        (state.filter === "all" || row.getAttribute("data-" + state.filter) === "1");
      row.hidden = !visible;
      if (visible) {
        count += 1;
      }
    });
    shown.textContent = count + " of " + rows.length + " rows shown";
    buttons.forEach(function (button) {
      var pressed = button.getAttribute("data-filter") === state.filter;
      button.setAttribute("aria-pressed", pressed ? "true" : "false");
    });
  }

  buttons.forEach(function (button) {
    button.disabled = false;
    button.addEventListener("click", function () {
      state.filter = button.getAttribute("data-filter");
      apply();
    });
  });
  if (runSelect) {
    runSelect.disabled = false;
    runSelect.addEventListener("change", function () {
      state.run = runSelect.value;
      apply();
    });
  }
  apply();
})();
