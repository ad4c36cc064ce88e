/* Progressive enhancements; every page is complete without them. */
(function () {
  "use strict";

  /* Local times, in the words the server uses with a chosen zone, in the page's language:
     "22:00 in Shanghai (Thu 3 Dec)" and "21:00–00:00 in Shanghai". The server gives the
     words, the city names and the day's pattern of the language with the places. */
  var PLACES_URL = "/timezone/places.json?lang=" +
    encodeURIComponent((document.documentElement.lang || "en").replace(/-/g, "_"));

  function browserZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return ""; }
  }

  function loadPlaces(done) {
    var request = new XMLHttpRequest();
    request.open("GET", PLACES_URL);
    request.responseType = "json";
    request.onload = function () { if (request.status === 200 && request.response) { done(request.response); } };
    request.send();
  }

  /* The zone of the list the browser's zone is, under today's name, or "". */
  function knownZone(places, zone) {
    var name = places.links[zone] || zone;
    return places.cities[name] ? name : "";
  }

  /* A day written with a CLDR pattern ("EEE d MMM", "M月d日E", "E, d 'de' MMM"): the few
     fields a day label has, and quoted literal text. */
  function writeDay(places, weekday, day, month) {
    return places.day.replace(/'([^']*)'|E+|d+|M+/g, function (token, literal) {
      if (literal !== undefined) { return literal === "" ? "'" : literal; }
      if (token.charAt(0) === "E") { return places.weekdays[weekday]; }
      if (token.charAt(0) === "d") { return String(day); }
      return token.length >= 3 ? places.months[month - 1] : String(month);
    });
  }

  function fill(words, values) {
    return words.replace(/%\((\w+)\)s/g, function (_, name) { return values[name]; });
  }

  function inZone(date, zone, places) {
    var parts = {};
    new Intl.DateTimeFormat("en-US", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
      hour: "2-digit", minute: "2-digit"
    }).formatToParts(date).forEach(function (part) { parts[part.type] = part.value; });
    var year = Number(parts.year), month = Number(parts.month), day = Number(parts.day);
    return {
      clock: parts.hour + ":" + parts.minute,
      date: year + "-" + month + "-" + day,
      day: places ? writeDay(places, new Date(Date.UTC(year, month - 1, day)).getUTCDay(), day, month) : ""
    };
  }

  function addAfter(node, text) {
    if (node.nextElementSibling && node.nextElementSibling.classList.contains("local-time")) { return; }
    var span = document.createElement("span");
    span.className = "local-time";
    span.textContent = " · " + text;
    node.insertAdjacentElement("afterend", span);
  }

  function writeLocalTimes(zone, places) {
    var city = places.cities[zone];
    Array.prototype.forEach.call(document.querySelectorAll("time[data-local-time]"), function (node) {
      var date = new Date(node.getAttribute("datetime"));
      if (isNaN(date.getTime())) { return; }
      var local = inZone(date, zone, places);
      addAfter(node, fill(places.words.time, { time: local.clock, city: city, day: local.day }));
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-local-range]"), function (node) {
      var times = node.querySelectorAll("time");
      var start = new Date(times[0].getAttribute("datetime"));
      var end = new Date(times[times.length - 1].getAttribute("datetime"));
      if (isNaN(start.getTime()) || isNaN(end.getTime())) { return; }
      var localStart = inZone(start, zone, places);
      var values = { start: localStart.clock, end: inZone(end, zone).clock, city: city, day: localStart.day };
      var otherDay = localStart.date !== inZone(start, "UTC").date;
      addAfter(node, fill(otherDay ? places.words.range_day : places.words.range, values));
    });
  }

  /* Adds the browser zone's time after every UTC time that asks for it; nothing when the
     browser is on UTC (the time already shown) or on a zone the site does not know. */
  function showLocalTimes() {
    var zone = browserZone();
    if (!document.querySelector("time[data-local-time], [data-local-range]") || !zone ||
        /^(Etc\/)?(UTC|GMT|UCT|Zulu|Universal)$/.test(zone)) {
      return;
    }
    loadPlaces(function (places) {
      var known = knownZone(places, zone);
      if (known) { writeLocalTimes(known, places); }
    });
  }

  /* The zone chooser: a search box over the list, and the device's zone offered. */
  function enhanceZoneChooser() {
    var select = document.querySelector("select[data-zone-chooser]");
    if (!select) { return; }
    var search = document.getElementById("zone-search");
    search.closest("[hidden]").hidden = false;
    search.addEventListener("input", function () {
      var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      Array.prototype.forEach.call(select.options, function (option) {
        var text = option.textContent.toLowerCase();
        option.hidden = !words.every(function (word) { return text.indexOf(word) !== -1; });
      });
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        group.hidden = !group.querySelector("option:not([hidden])");
      });
      select.size = words.length ? 8 : 0;
    });
    loadPlaces(function (places) {
      var known = knownZone(places, browserZone());
      var option = known && select.querySelector("option[value='" + known + "']");
      if (!option || select.value === known) { return; }
      var offer = document.getElementById("zone-suggestion");
      offer.querySelector("[data-zone-label]").textContent = option.textContent;
      offer.hidden = false;
      offer.querySelector("button").addEventListener("click", function () {
        select.value = known;
        select.focus();
      });
    });
  }

  /* The player address, asked to start at once: the visitor already pressed play. */
  function autoplaySource(src) {
    return src + (src.indexOf("?") === -1 ? "?" : "&") + "autoplay=1";
  }

  /* Shows each recording facade (hidden without script, where the plain link serves) and
     replaces it with the privacy-enhanced player once asked. */
  function activateFacades() {
    var buttons = document.querySelectorAll("[data-player-src]");
    Array.prototype.forEach.call(buttons, function (button) {
      var holder = button.closest("[data-facade]");
      if (holder) { holder.hidden = false; }
      button.addEventListener("click", function () {
        var frame = document.createElement("iframe");
        frame.className = "player";
        frame.src = autoplaySource(button.getAttribute("data-player-src"));
        frame.title = button.getAttribute("data-player-title") || "Recording";
        frame.allow = "accelerometer; encrypted-media; gyroscope; picture-in-picture; fullscreen";
        frame.setAttribute("allowfullscreen", "");
        var facade = button.closest(".facade") || button;
        facade.replaceWith(frame);
        frame.focus();
      });
    });
  }

  function focusErrorSummary() {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    showLocalTimes();
    enhanceZoneChooser();
    activateFacades();
    focusErrorSummary();
  });
})();
