// The import job's page: poll its JSON and move the progress bar; reload the page once the job is finished
// (the server renders the outcome). Without JavaScript the page refreshes itself (<noscript> meta refresh).
(function () {
  "use strict";
  var box = document.getElementById("import-job");
  if (!box || !window.XMLHttpRequest) { return; }
  var bar = document.getElementById("import-progress-bar");
  var text = document.getElementById("import-progress-text");
  var url = box.dataset.statusUrl;

  function show(status) {
    if (status.finished) {
      window.location.reload();
      return;
    }
    bar.value = status.percent;
    bar.textContent = status.percent + " %";
    var template = status.phase === "reading" ? box.dataset.reading
      : status.phase === "saving" ? box.dataset.saving : null;
    text.textContent = template
      ? template.replace("DONE", status.done.toLocaleString("da-DK")).replace("TOTAL", status.total.toLocaleString("da-DK"))
      : box.dataset.queued;
    window.setTimeout(poll, 1500);
  }

  function poll() {
    var request = new XMLHttpRequest();
    request.open("GET", url);
    request.responseType = "json";
    request.onload = function () {
      if (request.status === 200 && request.response) {
        show(request.response);
      } else {
        window.setTimeout(poll, 5000);
      }
    };
    request.onerror = function () { window.setTimeout(poll, 5000); };
    request.send();
  }

  window.setTimeout(poll, 1000);
})();
