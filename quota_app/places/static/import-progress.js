// Progress of a large upload: the file's bytes on their way (XMLHttpRequest upload events). The server
// then checks the rows in a background job, whose own page shows that progress (import-job.js).
// Without JavaScript the form posts normally.
(function () {
  "use strict";
  var form = document.getElementById("import-form");
  if (!form || !window.XMLHttpRequest || !window.FormData) { return; }
  var box = document.getElementById("import-progress");
  var bar = document.getElementById("import-progress-bar");
  var text = document.getElementById("import-progress-text");

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var submit = form.querySelector("[type='submit']");
    if (submit) { submit.disabled = true; }
    box.hidden = false;
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
      bar.removeAttribute("value");  // indeterminate until the server answers with the job's page
    });
    xhr.addEventListener("loadend", function () {
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
