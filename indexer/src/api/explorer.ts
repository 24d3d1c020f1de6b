// A small GraphQL explorer served by the indexer itself (GET /graphql and GET /explorer): one HTML page
// with its script and styles inline, no CDN and no network beyond this server, so it works offline
// (Ponder's built-in GraphiQL page loads its scripts from a CDN and is blank without one).
//
// What it does: an editor for the query and its variables (Ctrl/Cmd-Enter runs), the JSON answer, a
// list of the root fields from introspection (click one to insert a query of its scalar fields), the
// type of a field under the cursor's list item, and the last query kept in localStorage.
export const EXPLORER_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gridlease indexer: GraphQL explorer</title>
<style>
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.4 system-ui, sans-serif; color: #1b1f24; background: #f6f8fa; height: 100vh; display: flex; flex-direction: column; }
  header { padding: 8px 12px; background: #24292f; color: #fff; display: flex; gap: 12px; align-items: center; }
  header h1 { font-size: 15px; margin: 0; font-weight: 600; }
  header .hint { opacity: .75; font-size: 12px; }
  button { font: inherit; padding: 4px 14px; border: 1px solid #1f883d; background: #1f883d; color: #fff; border-radius: 6px; cursor: pointer; }
  main { flex: 1; display: grid; grid-template-columns: 260px 1fr 1fr; min-height: 0; }
  aside, section { display: flex; flex-direction: column; min-height: 0; border-right: 1px solid #d0d7de; }
  h2 { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; margin: 0; padding: 6px 10px; background: #eaeef2; color: #57606a; }
  #fields { overflow: auto; flex: 1; margin: 0; padding: 4px 0; list-style: none; }
  #fields li { padding: 2px 10px; cursor: pointer; font-family: ui-monospace, monospace; font-size: 12px; white-space: nowrap; }
  #fields li:hover { background: #ddf4ff; }
  #fields .type { color: #8250df; }
  #filter { margin: 6px 10px; padding: 3px 6px; font: inherit; }
  textarea, pre { font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; border: 0; margin: 0; padding: 10px; resize: none; background: #fff; }
  #query { flex: 3; }
  #variables { flex: 1; border-top: 1px solid #d0d7de; }
  #result { flex: 1; overflow: auto; white-space: pre-wrap; word-break: break-word; }
  #status { font-size: 12px; padding: 4px 10px; color: #57606a; }
  .error { color: #cf222e; }
</style>
</head>
<body>
<header>
  <h1>Gridlease indexer · GraphQL</h1>
  <button id="run" type="button">Run ▶</button>
  <span class="hint">Ctrl/⌘-Enter runs · POST <span id="endpoint"></span> · lists: limit ≤ 200, page with <code>after</code></span>
</header>
<main>
  <aside>
    <h2>Query fields</h2>
    <input id="filter" placeholder="filter (e.g. metric)" aria-label="filter fields">
    <ul id="fields"><li>loading schema…</li></ul>
  </aside>
  <section>
    <h2>Query</h2>
    <textarea id="query" spellcheck="false" aria-label="query"></textarea>
    <h2>Variables (JSON)</h2>
    <textarea id="variables" spellcheck="false" aria-label="variables">{}</textarea>
  </section>
  <section>
    <h2>Answer</h2>
    <div id="status"></div>
    <pre id="result"></pre>
  </section>
</main>
<script>
(function () {
  "use strict";
  var endpoint = location.pathname === "/explorer" ? "/graphql" : location.pathname;
  var $ = function (id) { return document.getElementById(id); };
  $("endpoint").textContent = endpoint;
  var DEFAULT_QUERY = '{\\n  networkMetrics(where: { period: day }, orderBy: "periodStart", orderDirection: "desc", limit: 7) {\\n    items { periodStart grossUsd feesUsd utilization jobsCreated }\\n  }\\n  networkMetricUsds(where: { period: "day" }, orderBy: "periodStart", orderDirection: "desc", limit: 7) {\\n    items { periodStart grossUsd feesUsd }\\n  }\\n}\\n';
  var saved = null;
  try { saved = localStorage.getItem("gridlease-explorer-query"); } catch (e) {}
  $("query").value = saved || DEFAULT_QUERY;

  function post(body) {
    return fetch(endpoint, { method: "POST", headers: { "content-type": "application/json", accept: "application/json" }, body: JSON.stringify(body) })
      .then(function (response) { return response.text().then(function (text) { return { status: response.status, text: text }; }); });
  }

  function run() {
    var variables;
    try { variables = JSON.parse($("variables").value || "{}"); }
    catch (e) { $("status").innerHTML = '<span class="error">Variables are not valid JSON: ' + e.message + "</span>"; return; }
    try { localStorage.setItem("gridlease-explorer-query", $("query").value); } catch (e) {}
    var started = Date.now();
    $("status").textContent = "running…";
    post({ query: $("query").value, variables: variables }).then(function (answer) {
      var shown = answer.text;
      try { shown = JSON.stringify(JSON.parse(answer.text), null, 2); } catch (e) {}
      $("result").textContent = shown;
      $("status").textContent = "HTTP " + answer.status + " · " + (Date.now() - started) + " ms";
    }, function (error) {
      $("status").innerHTML = '<span class="error">request failed: ' + error.message + "</span>";
    });
  }

  function typeName(type) {
    if (!type) return "…";
    if (type.kind === "NON_NULL") return typeName(type.ofType) + "!";
    if (type.kind === "LIST") return "[" + typeName(type.ofType) + "]";
    return type.name;
  }
  function baseType(type) { while (type.ofType) type = type.ofType; return type; }

  var types = {};
  function scalarFields(typeNameValue) {
    var type = types[typeNameValue];
    if (!type || !type.fields) return [];
    return type.fields.filter(function (f) { var k = baseType(f.type).kind; return k === "SCALAR" || k === "ENUM"; }).map(function (f) { return f.name; });
  }
  function template(field) {
    var type = baseType(field.type);
    if (/Page$/.test(type.name || "")) {
      var row = type.name.slice(0, -4);
      return "{\\n  " + field.name + "(limit: 10) {\\n    totalCount\\n    items { " + scalarFields(row).join(" ") + " }\\n    pageInfo { hasNextPage endCursor }\\n  }\\n}\\n";
    }
    var args = field.args.filter(function (a) { return a.type.kind === "NON_NULL"; }).map(function (a) { return a.name + ": "; }).join(", ");
    return "{\\n  " + field.name + (args ? "(" + args + ")" : "") + " { " + scalarFields(type.name).join(" ") + " }\\n}\\n";
  }

  var INTROSPECTION = "{ __schema { queryType { name } types { name kind fields { name args { name type { kind } } type { kind name ofType { kind name } } } } } }";
  var rootFields = [];
  function renderFields() {
    var filter = $("filter").value.toLowerCase();
    var list = $("fields");
    list.innerHTML = "";
    rootFields.filter(function (f) { return f.name.toLowerCase().indexOf(filter) !== -1; }).forEach(function (field) {
      var item = document.createElement("li");
      item.innerHTML = field.name + ': <span class="type"></span>';
      item.querySelector(".type").textContent = typeName(field.type);
      item.title = "insert a query of " + field.name;
      item.addEventListener("click", function () { $("query").value = template(field); });
      list.appendChild(item);
    });
  }
  post({ query: INTROSPECTION }).then(function (answer) {
    var body = JSON.parse(answer.text);
    body.data.__schema.types.forEach(function (t) { types[t.name] = t; });
    rootFields = types[body.data.__schema.queryType.name].fields.slice().sort(function (a, b) { return a.name < b.name ? -1 : 1; });
    renderFields();
  }).catch(function (error) {
    $("fields").innerHTML = '<li class="error">schema unavailable: ' + (error && error.message) + "</li>";
  });
  $("filter").addEventListener("input", renderFields);
  $("run").addEventListener("click", run);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); run(); }
  });
})();
</script>
</body>
</html>
`;
