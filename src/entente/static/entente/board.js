/* The live board: incidents open now, the newest alerts and the map, kept up to date by the
   server's stream (Server-Sent Events). Every row arrives already labelled in the reader's
   language and already checked against the access policy; this script only places it.
   No HTML is built from data: text goes in with textContent. */
(function () {
  "use strict";

  var root = document.getElementById("board");
  if (!root) { return; }
  var d = root.dataset;
  var lang = document.documentElement.lang || "en";
  var rowsBody = document.getElementById("board-rows");
  var empty = document.getElementById("board-empty");
  var count = document.getElementById("board-count");
  var status = document.getElementById("board-status");
  var announcer = document.getElementById("board-announcer");
  var ticker = document.getElementById("board-ticker");
  var limit = parseInt(d.limit || "200", 10);
  var RECENT_MS = 15 * 60 * 1000;
  var TICKER_MAX = 10;

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : all;
    });
  }

  function setStatus(label, css) {
    status.textContent = label;
    status.className = "badge " + css;
  }

  function announce(text) {
    var p = document.createElement("p");
    p.textContent = text;
    announcer.appendChild(p);
    while (announcer.childNodes.length > 5) { announcer.removeChild(announcer.firstChild); }
  }

  /* -- ages ------------------------------------------------------------------------------ */
  var minutes = new Intl.NumberFormat(lang, { style: "unit", unit: "minute", unitDisplay: "short" });
  var hours = new Intl.NumberFormat(lang, { style: "unit", unit: "hour", unitDisplay: "short" });
  var days = new Intl.NumberFormat(lang, { style: "unit", unit: "day", unitDisplay: "short" });
  var skew = 0; // server clock minus ours, from each message's "now"

  function age(iso) {
    var m = Math.max(0, Math.floor((Date.now() + skew - Date.parse(iso)) / 60000));
    if (m < 60) { return minutes.format(m); }
    if (m < 48 * 60) { return hours.format(Math.floor(m / 60)) + " " + minutes.format(m % 60); }
    return days.format(Math.floor(m / 1440));
  }

  function refreshAges() {
    rowsBody.querySelectorAll("td.age").forEach(function (td) {
      td.textContent = age(td.dataset.since);
    });
  }

  /* -- incident rows --------------------------------------------------------------------- */
  function cell(tr, text, css) {
    var td = document.createElement("td");
    if (css) { td.className = css; }
    if (text !== undefined) { td.textContent = text; }
    tr.appendChild(td);
    return td;
  }

  function renderRow(r) {
    var tr = document.createElement("tr");
    tr.dataset.incident = r.id;
    tr.dataset.zone = r.zone;
    tr.dataset.severity = r.severity;
    tr.dataset.alerts = r.alerts;
    tr.dataset.opened = r.opened;
    var a = document.createElement("a");
    a.href = r.url;
    a.textContent = r.id;
    cell(tr).appendChild(a);
    var badge = document.createElement("span");
    badge.className = "badge severity-" + r.severity;
    badge.textContent = r.severity_label;
    cell(tr).appendChild(badge);
    cell(tr, r.kind_label);
    cell(tr, r.zone_label);
    cell(tr, r.site_label);
    cell(tr, r.state_label);
    cell(tr, r.alerts, "text-end");
    var time = document.createElement("time");
    time.dateTime = r.opened;
    time.textContent = r.opened_local;
    cell(tr).appendChild(time);
    var ageCell = cell(tr, age(r.opened), "age text-nowrap");
    ageCell.dataset.since = r.opened;
    return tr;
  }

  function rowOf(id) {
    return rowsBody.querySelector('tr[data-incident="' + String(parseInt(id, 10)) + '"]');
  }

  function placeRow(tr) {
    // Newest first, as on the server: by opening time, then by number.
    var opened = Date.parse(tr.dataset.opened || "");
    var id = parseInt(tr.dataset.incident, 10);
    var rows = rowsBody.children;
    for (var i = 0; i < rows.length; i++) {
      var other = rows[i];
      if (other === tr) { continue; }
      var o = Date.parse(other.dataset.opened || other.querySelector("time").dateTime);
      if (opened > o || (opened === o && id > parseInt(other.dataset.incident, 10))) {
        rowsBody.insertBefore(tr, other);
        return;
      }
    }
    rowsBody.appendChild(tr);
  }

  function recount() {
    var n = rowsBody.children.length;
    count.textContent = n;
    empty.hidden = n > 0;
    while (rowsBody.children.length > limit) { rowsBody.removeChild(rowsBody.lastChild); }
  }

  function applyRow(r, quiet) {
    var old = rowOf(r.id);
    if (!r.open) {
      if (old) {
        old.remove();
        if (!quiet) { announce(fill(d.labelClosed, { id: r.id })); }
      }
      return;
    }
    var added = r.alerts - (old ? parseInt(old.dataset.alerts, 10) : r.alerts);
    if (added > 0) { noteAlerts(r.zone, added); }
    var tr = renderRow(r);
    if (old) {
      rowsBody.replaceChild(tr, old);
    } else {
      placeRow(tr);
      if (!quiet) {
        tr.classList.add("board-new");
        announce(fill(d.labelNew, { kind: r.kind_label, zone: r.zone_label, site: r.site_label }));
      }
    }
  }

  /* -- newest alerts ---------------------------------------------------------------------- */
  function addAlert(a) {
    if (ticker.querySelector('li[data-alert="' + String(parseInt(a.id, 10)) + '"]')) { return; }
    var placeholder = ticker.querySelector(".board-ticker-empty");
    if (placeholder) { placeholder.remove(); }
    var li = document.createElement("li");
    li.dataset.alert = a.id;
    var time = document.createElement("time");
    time.dateTime = a.at;
    time.textContent = a.at_local;
    var sensor = document.createElement("span");
    sensor.className = "font-monospace";
    sensor.textContent = a.sensor;
    var link = document.createElement("a");
    link.href = rowOf(a.incident) ? rowOf(a.incident).querySelector("a").href : "#";
    link.textContent = "#" + a.incident;
    li.append(time, " ", sensor, " " + a.kind_label + " · " + a.zone_label + " · ", link);
    // Newest first, by alert number.
    var items = ticker.children;
    for (var i = 0; i < items.length; i++) {
      if (parseInt(items[i].dataset.alert, 10) < a.id) { ticker.insertBefore(li, items[i]); break; }
    }
    if (!li.parentNode) { ticker.appendChild(li); }
    while (ticker.children.length > TICKER_MAX) { ticker.removeChild(ticker.lastChild); }
  }

  /* -- the map --------------------------------------------------------------------------- */
  var map = null;
  var zoneLayers = {};   // zone id -> Leaflet polygon layer
  var recent = {};       // zone id -> [[time, alerts], ...] seen on this board
  var sensorLayer = null;

  function noteAlerts(zone, n) {
    (recent[zone] = recent[zone] || []).push([Date.now(), n]);
  }

  function recentCount(zone) {
    var cutoff = Date.now() - RECENT_MS;
    var list = (recent[zone] || []).filter(function (e) { return e[0] >= cutoff; });
    recent[zone] = list;
    return list.reduce(function (sum, e) { return sum + e[1]; }, 0);
  }

  var SEVERITY_COLOURS = { 1: "#e0a800", 2: "#fd7e14", 3: "#dc3545", 4: "#842029" };

  function colourZones() {
    if (!map) { return; }
    var open = {}, worst = {};
    rowsBody.querySelectorAll("tr[data-zone]").forEach(function (tr) {
      var z = tr.dataset.zone;
      open[z] = (open[z] || 0) + 1;
      worst[z] = Math.max(worst[z] || 0, parseInt(tr.dataset.severity, 10) || 1);
    });
    Object.keys(zoneLayers).forEach(function (z) {
      var layer = zoneLayers[z];
      var n = open[z] || 0, alerts = recentCount(z);
      layer.setStyle({
        color: n ? SEVERITY_COLOURS[worst[z]] : "#495057",
        fillColor: n ? SEVERITY_COLOURS[worst[z]] : "#adb5bd",
        fillOpacity: n ? Math.min(0.85, 0.35 + 0.05 * alerts) : 0.2,
        weight: n ? 3 : 1
      });
      var p = layer.feature.properties;
      layer.setTooltipContent(
        p.name + " (" + p.site + ") — " + fill(d.labelOpenCount, { n: n }) + " · " +
        fill(d.labelRecentCount, { n: alerts })
      );
    });
  }

  function drawSensors(features) {
    if (sensorLayer) { sensorLayer.remove(); }
    sensorLayer = L.geoJSON({ type: "FeatureCollection", features: features }, {
      pointToLayer: function (f, latlng) {
        var silent = f.properties.silent;
        return L.circleMarker(latlng, {
          radius: silent ? 6 : 4,
          color: silent ? "#842029" : "#0f5132",
          fillColor: silent ? "#ffffff" : "#198754",
          fillOpacity: 1,
          weight: silent ? 3 : 1,
          dashArray: silent ? "2 2" : null
        }).bindTooltip(
          f.properties.code + " — " + f.properties.kind_label +
          (silent ? " — " + d.labelSilent : "")
        );
      }
    }).addTo(map);
  }

  function loadFeatures(first) {
    return fetch(d.geojson, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        var by = { site: [], zone: [], sensor: [] };
        data.features.forEach(function (f) { (by[f.properties.layer] || []).push(f); });
        if (first) {
          var zones = L.geoJSON({ type: "FeatureCollection", features: by.zone }, {
            onEachFeature: function (f, layer) {
              zoneLayers[f.properties.id] = layer;
              layer.bindTooltip(f.properties.name);
            }
          }).addTo(map);
          var sites = L.geoJSON({ type: "FeatureCollection", features: by.site }, {
            pointToLayer: function (f, latlng) {
              return L.marker(latlng, { title: f.properties.name, alt: f.properties.name })
                .bindTooltip(f.properties.name + " — " + f.properties.kind_label);
            }
          }).addTo(map);
          var bounds = zones.getBounds().extend(sites.getBounds());
          if (bounds.isValid()) { map.fitBounds(bounds.pad(0.1)); }
        }
        drawSensors(by.sensor);
        colourZones();
      })
      .catch(function () { /* the map stays as it was; the table still updates */ });
  }

  function startMap() {
    var el = document.getElementById("board-map");
    if (!el || typeof L === "undefined") { return; }
    // No tile server: the basemap is a small GeoJSON outline of the strait's coasts.
    map = L.map(el, { attributionControl: false, zoomSnap: 0.5 }).setView([51.0, 1.5], 9);
    fetch(d.basemap)
      .then(function (r) { return r.json(); })
      .then(function (land) {
        L.geoJSON(land, {
          interactive: false,
          style: { color: "#8a9a5b", weight: 1, fillColor: "#e9ecdf", fillOpacity: 1 }
        }).addTo(map).bringToBack();
      })
      .catch(function () {});
    loadFeatures(true);
    // Sensors fall silent without any event: look again every minute.
    setInterval(function () { loadFeatures(false); }, 60000);
  }

  /* -- the stream ------------------------------------------------------------------------ */
  var source = null;

  function apply(msg) {
    if (msg.now) { skew = Date.parse(msg.now) - Date.now(); }
    var quiet = !!msg.snapshot;
    if (msg.snapshot) {
      // The whole board as the server sees it now: drop rows it no longer lists.
      var keep = {};
      msg.incidents.forEach(function (r) { keep[r.id] = true; });
      Array.prototype.slice.call(rowsBody.children).forEach(function (tr) {
        if (!keep[tr.dataset.incident]) { tr.remove(); }
      });
      msg.alerts.forEach(function (a) {
        if (Date.now() + skew - Date.parse(a.at) < RECENT_MS) {
          var r = msg.incidents.filter(function (i) { return i.id === a.incident; })[0];
          if (r && !ticker.querySelector('li[data-alert="' + a.id + '"]')) { noteAlerts(r.zone, 1); }
        }
      });
    }
    (msg.gone || []).forEach(function (id) {
      var tr = rowOf(id);
      if (tr) { tr.remove(); }
    });
    var silentChange = false;
    msg.incidents.forEach(function (r) {
      applyRow(r, quiet);
      if (r.kind === "sensor_silent") { silentChange = true; }
    });
    msg.alerts.slice().reverse().forEach(addAlert);
    recount();
    colourZones();
    if (silentChange && !quiet && map) { loadFeatures(false); }
  }

  function connect() {
    setStatus(d.labelConnecting, "text-bg-secondary");
    var cross = /^https?:\/\//.test(d.stream) && new URL(d.stream).origin !== location.origin;
    source = new EventSource(d.stream, { withCredentials: cross });
    source.addEventListener("board", function (e) {
      var msg;
      try { msg = JSON.parse(e.data); } catch (err) { return; }
      if (msg.snapshot) {
        if (msg.mode === "poll") {
          setStatus(d.labelPoll, "text-bg-warning");
        } else {
          setStatus(d.labelLive, "text-bg-success");
        }
      }
      apply(msg);
      root.dataset.updated = String(Date.now());
    });
    source.addEventListener("error", function () {
      if (source.readyState === EventSource.CLOSED) {
        // Refused (signed out, role withdrawn) or unreachable: the browser will not retry.
        setStatus(d.labelOffline, "text-bg-danger");
      } else if (status.textContent !== d.labelPoll) {
        setStatus(d.labelReconnecting, "text-bg-warning");
      }
    });
  }

  startMap();
  refreshAges();
  colourZones();
  setInterval(function () { refreshAges(); colourZones(); }, 30000);
  if (window.EventSource) { connect(); } else { setStatus(d.labelOffline, "text-bg-danger"); }
})();
