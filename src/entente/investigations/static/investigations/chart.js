/* The link chart: the entities and links the server sent (already checked against the
   access policy), drawn with Cytoscape.js; more fetched from the chart's API as the user
   expands entities, looks for a path, filters or asks for an analysis. The tables under the
   chart always hold the same entities and links, for keyboard and screen-reader users.
   No HTML is built from data: text goes in with textContent. */
(function () {
  "use strict";

  var root = document.getElementById("chart-page");
  var dataNode = document.getElementById("chart-data");
  if (!root || !dataNode || typeof window.cytoscape !== "function") { return; }
  var d = root.dataset;
  var labels = JSON.parse(document.getElementById("chart-labels").textContent);
  var data = JSON.parse(dataNode.textContent);
  var lang = document.documentElement.lang || "en";
  var status = document.getElementById("chart-status");
  var canvas = document.getElementById("chart-canvas");
  var filtersForm = document.getElementById("chart-filters");
  var KIND_COLOURS = {
    person: "#1f77b4", vehicle: "#ff7f0e", phone: "#2ca02c", company: "#9467bd",
    place: "#8c564b", account: "#e377c2"
  };
  var COMMUNITY_COLOURS = ["#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00", "#a65628",
    "#f781bf", "#999999", "#66c2a5", "#fc8d62", "#8da0cb", "#e78ac3"];

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : all;
    });
  }

  function say(text) { status.textContent = text; }

  /* A node's hidden links are counted once its neighbourhood was read (null until then:
     the outermost entities of an expand): no badge, and "not counted" in the table. */
  function counted(n) { return n.hidden !== null && n.hidden !== undefined; }

  function display(n) {
    return counted(n) && n.hidden > 0 ? n.label + "\n" + fill(labels.hidden, { n: n.hidden }) : n.label;
  }

  function nodeElement(n) {
    return { group: "nodes", data: {
      id: String(n.id), pk: n.id, label: n.label, display: display(n), kind: n.kind,
      kind_label: n.kind_label, country: n.country || "", hidden: counted(n) ? n.hidden : -1,
      colour: KIND_COLOURS[n.kind] || "#6c757d", size: 34
    } };
  }

  function edgeElement(e) {
    return { group: "edges", data: {
      id: "l" + e.id, pk: e.id, source: String(e.source), target: String(e.target),
      kind: e.kind, kind_label: e.kind_label, starts_on: e.starts_on || "",
      ends_on: e.ends_on || "", confidence: e.confidence, provenance: e.provenance || ""
    } };
  }

  var cy = window.cytoscape({
    container: canvas,
    elements: data.nodes.map(nodeElement).concat(data.edges.map(edgeElement)),
    wheelSensitivity: 0.3,
    maxZoom: 2.5,
    style: [
      { selector: "node", style: {
        "background-color": "data(colour)", label: "data(display)", width: "data(size)",
        height: "data(size)", "font-size": 11, "text-wrap": "wrap", "text-valign": "bottom",
        "text-margin-y": 4, color: "#212529", "text-background-color": "#fff",
        "text-background-opacity": 0.8, "text-background-padding": 1 } },
      { selector: "node[hidden > 0]", style: { "border-width": 3, "border-style": "dashed",
        "border-color": "#6c757d" } },
      { selector: "node:selected", style: { "border-width": 4, "border-color": "#0d6efd",
        "border-style": "solid" } },
      { selector: "edge", style: {
        width: 2, "line-color": "#adb5bd", "target-arrow-color": "#adb5bd",
        "target-arrow-shape": "triangle", "curve-style": "bezier", label: "data(kind_label)",
        "font-size": 9, color: "#495057", "text-rotation": "autorotate",
        "text-background-color": "#fff", "text-background-opacity": 0.8 } },
      { selector: ".filtered", style: { display: "none" } },
      { selector: "edge.on-path", style: { "line-color": "#d63384",
        "target-arrow-color": "#d63384", width: 5 } },
      { selector: "node.on-path", style: { "border-width": 5, "border-color": "#d63384",
        "border-style": "solid" } }
    ],
    layout: { name: "cose", animate: false, randomize: false }
  });
  canvas.setAttribute("data-ready", "1");

  /* -- filters ------------------------------------------------------------------------ */
  function filters() {
    var kinds = [];
    if (filtersForm) {
      filtersForm.querySelectorAll("input[name=kinds]:checked").forEach(function (box) {
        kinds.push(box.value);
      });
    }
    var all = filtersForm ? filtersForm.querySelectorAll("input[name=kinds]").length : 0;
    return {
      kinds: kinds.length === all ? [] : kinds,
      checked: kinds,
      start: filtersForm ? filtersForm.elements.start.value : "",
      end: filtersForm ? filtersForm.elements.end.value : ""
    };
  }

  function query(extra) {
    var f = filters();
    var params = new URLSearchParams();
    f.kinds.forEach(function (k) { params.append("kinds", k); });
    if (f.start) { params.set("start", f.start); }
    if (f.end) { params.set("end", f.end); }
    Object.keys(extra || {}).forEach(function (key) {
      [].concat(extra[key]).forEach(function (v) { params.append(key, v); });
    });
    var text = params.toString();
    return text ? "?" + text : "";
  }

  function edgeShown(edge, f) {
    if (f.checked.indexOf(edge.data("kind")) < 0) { return false; }
    if (f.start && edge.data("ends_on") && edge.data("ends_on") < f.start) { return false; }
    if (f.end && edge.data("starts_on") && edge.data("starts_on") > f.end) { return false; }
    return true;
  }

  function applyFilters() {
    var f = filters();
    cy.batch(function () {
      cy.edges().forEach(function (edge) { edge.toggleClass("filtered", !edgeShown(edge, f)); });
    });
    refreshTables();
    say(fill(labels.filtered, {
      nodes: cy.nodes(":visible").length, links: cy.edges(":visible").length
    }));
  }

  if (filtersForm) {
    filtersForm.addEventListener("submit", function (event) {
      event.preventDefault();
      applyFilters();
      var params = new URLSearchParams(new FormData(filtersForm));
      history.replaceState(null, "", "?" + params.toString());
    });
  }

  /* -- tables --------------------------------------------------------------------------- */
  function cell(tr, text, tag, css) {
    var td = document.createElement(tag || "td");
    td.textContent = text;
    if (tag === "th") { td.scope = "row"; }
    if (css) { td.className = css; }
    tr.appendChild(td);
    return td;
  }

  function refreshTables() {
    var nodesBody = document.getElementById("nodes-rows");
    var linksBody = document.getElementById("links-rows");
    nodesBody.textContent = "";
    linksBody.textContent = "";
    var nodes = cy.nodes().sort(function (a, b) { return a.data("label").localeCompare(b.data("label"), lang); });
    nodes.forEach(function (n) {
      var tr = document.createElement("tr");
      tr.dataset.node = n.data("pk");
      if (n.hasClass("on-path")) { tr.className = "on-path"; }
      cell(tr, n.data("label"), "th");
      cell(tr, n.data("kind_label"));
      cell(tr, n.data("country"));
      cell(tr, n.data("hidden") < 0 ? labels.not_counted : String(n.data("hidden")), "td", "text-end");
      cell(tr, n.data("community") === undefined ? "" : fill(labels.community, { n: n.data("community") + 1 }));
      var td = document.createElement("td");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-sm btn-outline-secondary";
      button.textContent = labels.expand;
      var hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = " " + n.data("label");
      button.appendChild(hidden);
      button.addEventListener("click", function () { expand(n.data("pk")); });
      td.appendChild(button);
      tr.appendChild(td);
      nodesBody.appendChild(tr);
    });
    var shown = cy.edges().filter(function (e) { return !e.hasClass("filtered"); });
    shown.forEach(function (e) {
      var tr = document.createElement("tr");
      tr.dataset.link = e.data("pk");
      if (e.hasClass("on-path")) { tr.className = "on-path"; }
      cell(tr, e.source().data("label"));
      cell(tr, e.data("kind_label"));
      cell(tr, e.target().data("label"));
      cell(tr, (e.data("starts_on") || "…") + " – " + (e.data("ends_on") || "…"));
      cell(tr, Number(e.data("confidence")).toLocaleString(lang, { maximumFractionDigits: 2 }), "td", "text-end");
      cell(tr, e.data("provenance"));
      linksBody.appendChild(tr);
    });
    document.getElementById("nodes-count").textContent = String(nodes.length);
    document.getElementById("links-count").textContent = String(shown.length);
    refreshPathChoices();
  }

  function refreshPathChoices() {
    ["path-from", "path-to"].forEach(function (id, index) {
      var select = document.getElementById(id);
      var current = select.value;
      select.textContent = "";
      var nodes = cy.nodes().sort(function (a, b) { return a.data("label").localeCompare(b.data("label"), lang); });
      nodes.forEach(function (n) {
        var option = document.createElement("option");
        option.value = n.data("pk");
        option.textContent = n.data("label");
        select.appendChild(option);
      });
      if (current && cy.getElementById(current).length) { select.value = current; }
      else if (index === 1 && nodes.length) { select.value = nodes[nodes.length - 1].data("pk"); }
    });
  }

  /* -- data from the API ---------------------------------------------------------------- */
  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          var error = new Error(String(response.status));
          error.status = response.status;
          throw error;
        }
        return response.json();
      });
  }

  function merge(graph) {
    var added = { nodes: 0, links: 0 };
    cy.batch(function () {
      graph.nodes.forEach(function (n) {
        var existing = cy.getElementById(String(n.id));
        if (existing.length) {
          /* a count already known is kept when this answer did not count the node */
          if (counted(n)) { existing.data({ hidden: n.hidden, display: display(n) }); }
        } else {
          cy.add(nodeElement(n));
          added.nodes += 1;
        }
      });
      graph.edges.forEach(function (e) {
        if (!cy.getElementById("l" + e.id).length) { cy.add(edgeElement(e)); added.links += 1; }
      });
    });
    return added;
  }

  function relayout() {
    cy.layout({ name: "cose", animate: false, randomize: false, fit: true }).run();
  }

  var busy = false;
  function expand(pk) {
    var node = cy.getElementById(String(pk));
    if (busy || !node.length) { return; }
    busy = true;
    say(fill(labels.expanding, { name: node.data("label") }));
    getJSON(d.apiExpand + pk + query()).then(function (graph) {
      var added = merge(graph);
      relayout();
      applyFilters();
      var text = fill(labels.expanded, { name: node.data("label"), nodes: added.nodes, links: added.links });
      if (graph.truncated) { text += " " + fill(labels.truncated, { n: graph.truncated }); }
      say(text);
      loadTimeline();
    }).catch(function () { say(labels.error); }).then(function () { busy = false; });
  }

  cy.on("tap", "node", function (event) { expand(event.target.data("pk")); });

  /* -- keyboard: arrows choose an entity, Enter expands it ------------------------------ */
  var cursor = -1;
  canvas.addEventListener("keydown", function (event) {
    var nodes = cy.nodes().sort(function (a, b) { return a.data("label").localeCompare(b.data("label"), lang); });
    if (!nodes.length) { return; }
    if (["ArrowRight", "ArrowDown", "ArrowLeft", "ArrowUp"].indexOf(event.key) >= 0) {
      event.preventDefault();
      var step = (event.key === "ArrowRight" || event.key === "ArrowDown") ? 1 : -1;
      cursor = (cursor + step + nodes.length) % nodes.length;
      cy.nodes().unselect();
      var chosen = nodes[cursor];
      chosen.select();
      cy.center(chosen);
      say(fill(labels.selected, { name: chosen.data("label"), kind: chosen.data("kind_label") }));
    } else if (event.key === "Enter" || event.key === " ") {
      var selected = cy.nodes(":selected");
      if (selected.length) { event.preventDefault(); expand(selected[0].data("pk")); }
    }
  });

  /* -- shortest path --------------------------------------------------------------------- */
  var pathButton = document.getElementById("path-find");
  pathButton.disabled = false;
  pathButton.addEventListener("click", function () {
    var from = document.getElementById("path-from").value;
    var to = document.getElementById("path-to").value;
    cy.elements().removeClass("on-path");
    if (!from || !to || from === to) { say(labels.path_choose); return; }
    getJSON(d.apiPath + from + "/" + to + query()).then(function (result) {
      if (!result.path) { refreshTables(); say(labels.path_none); return; }
      merge(result);
      var chain = result.path.map(function (pk) { return cy.getElementById(String(pk)); });
      cy.batch(function () {
        chain.forEach(function (n) { n.addClass("on-path"); });
        result.edges.forEach(function (e) { cy.getElementById("l" + e.id).addClass("on-path"); });
      });
      relayout();
      applyFilters();
      say(fill(labels.path_found, {
        chain: chain.map(function (n) { return n.data("label"); }).join(" → "),
        n: result.path.length - 1
      }));
    }).catch(function () { say(labels.error); });
  });

  /* -- network analysis (colours by community, sizes by betweenness) ------------------- */
  var analyse = document.getElementById("chart-analyse");
  analyse.disabled = false;
  analyse.addEventListener("click", function () {
    var params = d.investigation ? { investigation: d.investigation } : {};
    getJSON(d.apiAnalysis + query(params)).then(function (result) {
      var top = 0;
      (result.nodes || []).forEach(function (n) { top = Math.max(top, n.betweenness || 0); });
      cy.batch(function () {
        (result.nodes || []).forEach(function (n) {
          var node = cy.getElementById(String(n.id));
          if (!node.length) { return; }
          node.data({
            community: n.community,
            colour: COMMUNITY_COLOURS[n.community % COMMUNITY_COLOURS.length],
            size: 24 + (top > 0 ? 40 * (n.betweenness || 0) / top : 0)
          });
        });
      });
      refreshTables();
      say(fill(labels.analysed, { n: (result.communities || []).length }));
    }).catch(function (error) {
      say(error.status === 404 ? labels.analysis_missing : labels.error);
    });
  });

  /* -- timeline (grouped by month) ------------------------------------------------------ */
  var monthName = new Intl.DateTimeFormat(lang, { month: "long", year: "numeric", timeZone: "UTC" });
  function loadTimeline() {
    var ids = cy.nodes().map(function (n) { return n.data("pk"); });
    if (!ids.length) { return; }
    getJSON(d.apiTimeline + query({ entities: ids.slice(0, Number(d.maxNodes) || 2000) })).then(function (events) {
      var box = document.getElementById("timeline");
      box.textContent = "";
      if (!events.length) {
        var p = document.createElement("p");
        p.className = "text-body-secondary";
        p.textContent = labels.timeline_empty;
        box.appendChild(p);
        return;
      }
      var list = null;
      var month = "";
      events.forEach(function (e) {
        if (e.date.slice(0, 7) !== month) {
          month = e.date.slice(0, 7);
          var h = document.createElement("h3");
          h.className = "h6 mt-2";
          h.textContent = monthName.format(new Date(month + "-01T00:00:00Z"));
          box.appendChild(h);
          list = document.createElement("ul");
          list.className = "list-unstyled small timeline-month";
          box.appendChild(list);
        }
        var li = document.createElement("li");
        li.className = "timeline-" + e.type;
        var time = document.createElement("time");
        time.dateTime = e.date;
        time.textContent = e.date;
        li.appendChild(time);
        li.appendChild(document.createTextNode(" " + e.label));
        list.appendChild(li);
      });
    }).catch(function () { /* the server-drawn timeline stays */ });
  }

  applyFilters();
  say("");
})();
