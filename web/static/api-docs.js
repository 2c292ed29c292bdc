// Swagger UI over techex's own OpenAPI document; no request leaves the server.
// Swagger UI wraps its operations in a <main> of its own; the page already has its main
// landmark (`#main`, the skip link's target), so the inner one is announced as a
// labelled region instead (an attribute only: Swagger UI's React keeps its element).
function demoteInnerMain(root) {
  root.querySelectorAll("main:not([role])").forEach(function (inner) {
    inner.setAttribute("role", "region");
    inner.setAttribute("aria-label", document.documentElement.lang === "en" ? "API operations" : "接口操作");
  });
}

window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  new MutationObserver(function () { demoteInnerMain(root); }).observe(root, { childList: true, subtree: true });
  window.ui = SwaggerUIBundle({
    url: "/api/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    persistAuthorization: true,
  });
});
