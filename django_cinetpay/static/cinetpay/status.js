/* Polls cinetpay:status for every element with data-cinetpay-status-url and follows the final page. */
(function () {
  "use strict";
  function poll(el) {
    fetch(el.dataset.cinetpayStatusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        el.textContent = data.status_display;
        el.dataset.status = data.status;
        el.dispatchEvent(new CustomEvent("cinetpay:status", { detail: data, bubbles: true }));
        if (data.is_final && el.dataset.cinetpayFollow !== "false") { window.location.assign(data.url); return; }
        if (!data.is_final) { setTimeout(function () { poll(el); }, 3000); }
      })
      .catch(function () { setTimeout(function () { poll(el); }, 6000); });
  }
  document.querySelectorAll("[data-cinetpay-status-url]").forEach(poll);
})();
