// Registration: the district list shows only the districts of the chosen city. The options carry
// their city's code in data-city (server-rendered, grouped by city, so the page works without this
// script; the server also checks that the district belongs to the city).
(function () {
  "use strict";
  function filter(district, city) {
    var code = city.value;
    var any = false;
    Array.prototype.forEach.call(district.querySelectorAll("optgroup"), function (group) {
      var options = group.querySelectorAll("option");
      var match = options.length > 0 && options[0].getAttribute("data-city") === code;
      group.hidden = !match;
      group.disabled = !match;
      any = any || match;
    });
    var chosen = district.options[district.selectedIndex];
    if (chosen && chosen.value && chosen.getAttribute("data-city") !== code) {
      district.value = "";
    }
    // A city without districts in the list (the Hebei cities today): nothing to choose.
    district.disabled = !any;
  }
  function setUp() {
    Array.prototype.forEach.call(document.querySelectorAll("select[data-city-select]"), function (district) {
      var city = document.getElementById(district.getAttribute("data-city-select"));
      if (!city) return;
      filter(district, city);
      city.addEventListener("change", function () { filter(district, city); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
