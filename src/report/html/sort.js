// Sorts tables with class "sortable" by the clicked column header (again: reversed).
// Cells compare by their data-v attribute when present, else by their text; numbers
// numerically, text with digits compared as numbers; empty cells always last.
(function () {
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  function key(row, col) {
    var cell = row.cells[col];
    if (!cell) return "";
    var v = cell.getAttribute("data-v");
    return (v === null ? cell.textContent : v).trim();
  }
  function compare(x, y) {
    if (x === "" || y === "") return (x === "") - (y === "");
    var a = Number(x), b = Number(y);
    if (!isNaN(a) && !isNaN(b)) return a - b;
    return collator.compare(x, y);
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      th.tabIndex = 0;
      th.title = "Sort by this column";
      function sort() {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r1, r2) {
          var x = key(r1, col), y = key(r2, col);
          if (x === "" || y === "") return compare(x, y);
          return ascending ? compare(x, y) : compare(y, x);
        });
        rows.forEach(function (r) { body.appendChild(r); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); }
      });
    });
  });
})();
