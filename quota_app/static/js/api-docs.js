/* The API page (/api/docs): Swagger UI shows the OpenAPI document named by #swagger-ui's data-url.
   Without JavaScript the page links to the document itself. */
(function () {
  'use strict';

  var element = document.getElementById('swagger-ui');
  if (!element || typeof window.SwaggerUIBundle !== 'function') {
    return;
  }
  window.ui = window.SwaggerUIBundle({
    url: element.getAttribute('data-url'),
    domNode: element,
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    validatorUrl: null,
    persistAuthorization: false
  });
})();
