// Responsive tables (portal.css): on a phone a list table stacks its cells, and each cell shows
// its column's name from data-label. Templates may set data-label themselves; any cell without
// one gets the text of its column's header here, so no table loses its labels on a phone.
(function () {
  "use strict";
  function label(table) {
    var heads = table.querySelectorAll("thead th");
    if (!heads.length) { return; }
    var names = Array.prototype.map.call(heads, function (th) { return th.textContent.trim(); });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, index) {
        if (cell.tagName === "TD" && !cell.hasAttribute("data-label") && names[index]) {
          cell.setAttribute("data-label", names[index]);
        }
      });
    });
  }
  function labelAll() {
    document.querySelectorAll("table.list, table.stack").forEach(label);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", labelAll);
  } else {
    labelAll();
  }
})();
