// Progress for large imports: the upload's bytes (XMLHttpRequest upload events), then the rows the
// server has processed (it writes a count the page polls). Without JavaScript the form posts normally.
(function () {
  "use strict";
  var form = document.getElementById("import-form");
  if (!form || !window.XMLHttpRequest || !window.FormData || !window.crypto) { return; }
  var box = document.getElementById("import-progress");
  var bar = document.getElementById("import-progress-bar");
  var text = document.getElementById("import-progress-text");
  var idField = form.querySelector("input[name='progress_id']");

  function newId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var id = newId();
    idField.value = id;
    var submit = form.querySelector("[type='submit']");
    if (submit) { submit.disabled = true; }
    box.hidden = false;
    var polling = null;
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action || window.location.href);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        var pct = Math.round((e.loaded / e.total) * 100);
        bar.value = pct;
        text.textContent = text.dataset.uploading.replace("PCT", pct);
      }
    });
    xhr.upload.addEventListener("load", function () {
      bar.removeAttribute("value");  // indeterminate while the server reads rows
      var url = form.dataset.progressUrl.replace("PID", id);
      polling = window.setInterval(function () {
        var poll = new XMLHttpRequest();
        poll.open("GET", url);
        poll.responseType = "json";
        poll.onload = function () {
          if (poll.response && poll.response.rows) {
            text.textContent = text.dataset.rows.replace("ROWS", poll.response.rows);
          }
        };
        poll.send();
      }, 700);
    });
    xhr.addEventListener("loadend", function () {
      if (polling) { window.clearInterval(polling); }
      var type = xhr.getResponseHeader("Content-Type") || "";
      if (xhr.status === 200 && type.indexOf("application/json") === 0) {
        window.location.assign(JSON.parse(xhr.responseText).location);
        return;
      }
      // A refusal (e.g. no file chosen): show the page the server answered with.
      document.open();
      document.write(xhr.responseText);
      document.close();
    });
    xhr.send(new FormData(form));
  });
})();
