// Coach pages, progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Advice page: poll the small state fragment until every partner has answered. Each poll
  // is one short request; the server keeps nothing open per page.
  var live = document.getElementById("stand");
  if (live) {
    var busy = false;
    var polls = 0;
    var poll = function () {
      if (live.getAttribute("data-klaar") === "ja") { return; }
      if (!busy) { request(); }
      // Quick while answers usually come in, then gently: a page left open costs little.
      polls += 1;
      window.setTimeout(poll, polls < 80 ? 1500 : 10000);
    };
    var request = function () {
      busy = true;
      fetch(live.getAttribute("data-src"), { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (html !== null) {
            var doc = new DOMParser().parseFromString(html, "text/html");
            var state = doc.querySelector(".advice-state");
            if (state) {
              live.replaceChildren(document.importNode(state, true));
              live.setAttribute("data-klaar", state.getAttribute("data-klaar"));
            }
          }
        })
        .catch(function () { /* try again at the next tick */ })
        .finally(function () { busy = false; });
    };
    window.setTimeout(poll, 1500);
  }
  // Composer: choosing another advice type shows its own fields (same as "Bijwerken").
  var composer = document.getElementById("composer");
  if (composer) {
    composer.addEventListener("change", function (ev) {
      if (ev.target.classList && ev.target.classList.contains("js-refresh")) {
        var b = document.createElement("input");
        b.type = "hidden"; b.name = "actie"; b.value = "bijwerken";
        composer.appendChild(b);
        composer.submit();
      }
    });
  }
})();
