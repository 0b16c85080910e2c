// The search page: every query word must start a word of the post's title, labels or text.
// The index (search-index.js) was built at export time; nothing is fetched.
(function () {
  "use strict";
  var index = window.BLOGARCHIVE_SEARCH || [];
  var form = document.querySelector("form.search");
  var input = document.getElementById("q");
  var status = document.getElementById("status");
  var results = document.getElementById("results");
  var LIMIT = 200;

  function terms(text) {
    return (text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) || []);
  }

  function search(query) {
    var wanted = terms(query);
    while (results.firstChild) { results.removeChild(results.firstChild); }
    if (!wanted.length) { status.textContent = index.length + " posts and pages to search."; return; }
    var found = 0;
    for (var i = 0; i < index.length; i++) {
      var entry = index[i], words = " " + entry[3];
      var every = wanted.every(function (w) { return words.indexOf(" " + w) >= 0; });
      if (!every) { continue; }
      found += 1;
      if (found > LIMIT) { continue; }
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = entry[1];
      link.textContent = entry[0];
      item.appendChild(link);
      if (entry[2]) { item.appendChild(document.createTextNode(" (" + entry[2] + ")")); }
      results.appendChild(item);
    }
    status.textContent = found === 0 ? "Nothing found." :
      found + (found === 1 ? " match" : " matches") + (found > LIMIT ? ", the first " + LIMIT + " shown." : ".");
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); search(input.value); });
  input.addEventListener("input", function () { search(input.value); });
  var given = new URLSearchParams(window.location.search).get("q");
  if (given) { input.value = given; }
  search(input.value);
}());
