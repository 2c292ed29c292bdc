// On a narrow screen the search filters come after the results and start folded, so the
// first result is the first thing seen; the "Filter ↓" link above the results unfolds them.
(function () {
  "use strict";
  var box = document.getElementById("facets");
  if (!box) { return; }
  if (window.matchMedia("(max-width: 700px)").matches) { box.open = false; }
  document.querySelectorAll("a[href='#facets']").forEach(function (link) {
    link.addEventListener("click", function () { box.open = true; });
  });
})();
