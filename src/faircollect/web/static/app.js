// faircollect workbench: every htmx request carries the session's CSRF token.
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta && meta.content) {
    event.detail.headers["X-CSRF-Token"] = meta.content;
  }
});
// A refused contact comes back as 422 with the rule's explanation: show it, do not drop it.
document.addEventListener("htmx:beforeSwap", function (event) {
  var status = event.detail.xhr.status;
  if (status === 422 || status === 403 || status === 404) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
