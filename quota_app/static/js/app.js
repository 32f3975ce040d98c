/* Progressive enhancement only: every page works without JavaScript. Loaded after dkfds.min.js. */
(function () {
  'use strict';

  if (window.DKFDS && typeof window.DKFDS.init === 'function') {
    window.DKFDS.init();
  }

  // dkfds names its overflow menu "Mere"; use the page's language.
  var nav = document.querySelector('.navigation-menu .nav[data-more-label]');
  if (nav) {
    var more = nav.querySelector('.more-button span');
    if (more) {
      more.textContent = nav.getAttribute('data-more-label');
    }
  }

  // The DKFDS date picker sends the date it understood (YYYY-MM-DD) and nothing when it did not
  // understand what was typed (e.g. 2025-06-30, which it reads as dd.mm.åååå). Then send the text as
  // typed: the server reads that too, or says precisely what is wrong with it.
  document.querySelectorAll('form').forEach(function (form) {
    form.addEventListener('submit', function () {
      form.querySelectorAll('.date-picker').forEach(function (picker) {
        var internal = picker.querySelector('.date-picker__internal-input');
        var external = picker.querySelector('.date-picker__external-input');
        if (internal && external && external.value.trim() && !internal.value) {
          internal.value = external.value.trim();
        }
      });
    });
  });

  // Forms marked data-confirm ask before submitting (e.g. "save all rows").
  document.querySelectorAll('form[data-confirm]').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      if (!window.confirm(form.getAttribute('data-confirm'))) {
        event.preventDefault();
      }
    });
  });
})();
