/* The transaction page, live: the escrow panel and the chat follow the server without a reload.
   The payment status itself is polled by django-cinetpay's status.js (cinetpay:status); when it turns
   final, the panel is refreshed at once. The security period countdown ticks every second. */
(function () {
  "use strict";
  var root = document.querySelector("[data-live-url]");
  if (!root) { return; }
  var panel = document.getElementById("panel");
  var chat = document.getElementById("chat-messages");
  var state = null;
  var lastMessage = null;
  var timer = null;

  function scrollChat() { chat.scrollTop = chat.scrollHeight; }

  function refresh() {
    clearTimeout(timer);
    fetch(root.dataset.liveUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        if (state !== null && data.state !== state) { panel.innerHTML = data.panel; tick(); }
        if (lastMessage !== null && data.last_message !== lastMessage) { chat.innerHTML = data.chat; scrollChat(); }
        state = data.state;
        lastMessage = data.last_message;
        timer = setTimeout(refresh, 3000);
      })
      .catch(function () { timer = setTimeout(refresh, 6000); });
  }

  function pad(n) { return n < 10 ? "0" + n : String(n); }

  function tick() {
    document.querySelectorAll("[data-countdown-to]").forEach(function (el) {
      var left = Math.round((Date.parse(el.dataset.countdownTo) - Date.now()) / 1000);
      if (left <= 0) { el.textContent = el.dataset.doneText; return; }
      var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
      el.textContent = (h ? h + ":" + pad(m) : m) + ":" + pad(s);
    });
  }

  document.addEventListener("cinetpay:status", function (event) {
    var pill = event.target;
    pill.className = "pill pill-" + event.detail.status;
    if (event.detail.is_final) { refresh(); }
  });
  scrollChat();
  tick();
  setInterval(tick, 1000);
  refresh();
})();
