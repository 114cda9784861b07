/* Starts ReDoc on /redoc (app/routers/docs.py); its run-time styles carry the page's nonce. */
(function () {
  "use strict";
  var root = document.getElementById("redoc");
  Redoc.init(root.dataset.openapiUrl, { nonce: root.dataset.nonce, nativeScrollbars: true }, root);
})();
