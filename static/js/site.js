/* Progressive enhancements; every page is complete without them. */
(function () {
  "use strict";

  /* Local times, in the words the server uses with a chosen zone:
     "22:00 in Shanghai (Thu 3 Dec)" and "21:00–00:00 in Shanghai". */
  var WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var PLACES_URL = "/timezone/places.json";

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

  function inZone(date, zone) {
    var parts = {};
    new Intl.DateTimeFormat("en-US", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
      hour: "2-digit", minute: "2-digit"
    }).formatToParts(date).forEach(function (part) { parts[part.type] = part.value; });
    var year = Number(parts.year), month = Number(parts.month), day = Number(parts.day);
    return {
      clock: parts.hour + ":" + parts.minute,
      date: year + "-" + month + "-" + day,
      day: WEEKDAYS[new Date(Date.UTC(year, month - 1, day)).getUTCDay()] + " " + day + " " + MONTHS[month - 1]
    };
  }

  function addAfter(node, text) {
    if (node.nextElementSibling && node.nextElementSibling.classList.contains("local-time")) { return; }
    var span = document.createElement("span");
    span.className = "local-time";
    span.textContent = " · " + text;
    node.insertAdjacentElement("afterend", span);
  }

  function writeLocalTimes(zone, city) {
    Array.prototype.forEach.call(document.querySelectorAll("time[data-local-time]"), function (node) {
      var date = new Date(node.getAttribute("datetime"));
      if (isNaN(date.getTime())) { return; }
      var local = inZone(date, zone);
      addAfter(node, local.clock + " in " + city + " (" + local.day + ")");
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-local-range]"), function (node) {
      var times = node.querySelectorAll("time");
      var start = new Date(times[0].getAttribute("datetime"));
      var end = new Date(times[times.length - 1].getAttribute("datetime"));
      if (isNaN(start.getTime()) || isNaN(end.getTime())) { return; }
      var localStart = inZone(start, zone);
      var text = localStart.clock + "–" + inZone(end, zone).clock + " in " + city;
      if (localStart.date !== inZone(start, "UTC").date) { text += " (" + localStart.day + ")"; }
      addAfter(node, text);
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
      if (known) { writeLocalTimes(known, places.cities[known]); }
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
