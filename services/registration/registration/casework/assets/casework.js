// Progressive enhancement only: the worklist works without it. "Select all on this page" for the bulk actions.
(function () {
  "use strict";
  var all = document.getElementById("select-all");
  if (!all) return;
  var boxes = document.querySelectorAll("input[name=case_ids]");
  all.addEventListener("change", function () {
    Array.prototype.forEach.call(boxes, function (box) { box.checked = all.checked; });
  });
})();
