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

  // Forms marked data-confirm ask before submitting (e.g. "save all rows").
  document.querySelectorAll('form[data-confirm]').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      if (!window.confirm(form.getAttribute('data-confirm'))) {
        event.preventDefault();
      }
    });
  });
})();
