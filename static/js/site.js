/* Progressive enhancements; every page is complete without them. */
(function () {
  "use strict";

  function localLabel(date) {
    var options = {
      weekday: "short", day: "numeric", month: "short", year: "numeric",
      hour: "2-digit", minute: "2-digit", timeZoneName: "short"
    };
    return date.toLocaleString(undefined, options);
  }

  /* Adds the visitor's local time after every <time data-local-time>. */
  function showLocalTimes() {
    var nodes = document.querySelectorAll("time[data-local-time]");
    Array.prototype.forEach.call(nodes, function (node) {
      var date = new Date(node.getAttribute("datetime"));
      if (isNaN(date.getTime()) || node.nextElementSibling && node.nextElementSibling.classList.contains("local-time")) {
        return;
      }
      var span = document.createElement("span");
      span.className = "local-time";
      span.setAttribute("data-local-for", node.getAttribute("datetime"));
      span.textContent = " (your time: " + localLabel(date) + ")";
      node.insertAdjacentElement("afterend", span);
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
    activateFacades();
    focusErrorSummary();
  });
})();
