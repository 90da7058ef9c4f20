// Filters each area's table: severities, free text, gating only, waived shown or not. Runs at
// load (waived rows hidden by default) and on every change, and keeps "N of M" up to date.
(function () {
  "use strict";
  function apply(bar) {
    var area = bar.getAttribute("data-area");
    var severities = {};
    bar.querySelectorAll('input[name="severity"]').forEach(function (box) {
      severities[box.value] = box.checked;
    });
    var text = bar.querySelector('input[name="text"]').value.trim().toLowerCase();
    var gatingOnly = bar.querySelector('input[name="gating"]').checked;
    var showWaived = bar.querySelector('input[name="waived"]').checked;
    var shown = 0;
    document.querySelectorAll("#items-" + area + " tbody tr").forEach(function (row) {
      var visible = severities[row.getAttribute("data-severity")] === true &&
        (showWaived || row.getAttribute("data-state") !== "waived") &&
        (!gatingOnly || row.getAttribute("data-gating") === "true") &&
        (text === "" || row.textContent.toLowerCase().indexOf(text) !== -1);
      row.hidden = !visible;
      if (visible) {
        shown += 1;
      }
    });
    document.getElementById("shown-" + area).textContent = String(shown);
  }
  document.querySelectorAll(".filters").forEach(function (bar) {
    bar.hidden = false;
    bar.addEventListener("input", function () { apply(bar); });
    bar.addEventListener("change", function () { apply(bar); });
    apply(bar);
  });
}());
