/* bilateral-kg view page: inlined into every graph.html by kg/views.py.
 *
 * The graph data come from <script type="application/json" id="bkg-data">. Every string in them
 * comes from documents, so none is ever parsed as HTML: DOM nodes are built with textContent,
 * labels are drawn on the canvas, SVG text is XML-escaped. Positions are computed in Python
 * (physics off); this script only draws, filters and explains.
 */
(function () {
  "use strict";
  var times = window.bkgTimes = {start: performance.now()};
  var payload = JSON.parse(document.getElementById("bkg-data").textContent);
  var styles = payload.styles;
  expand(payload);
  times.parsed = performance.now();
  var FONT = payload.font;
  var LABEL_PX = 13;
  var LINE = 15;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function norm(s) { return String(s || "").normalize("NFKC").toLowerCase(); }

  // --- the page's data: put back what kg/views.py left out (pack_page_data there) --------
  function yearsText(ys) { return ys.length > 1 ? ys[0] + "\u2013" + ys[ys.length - 1] : String(ys[0]); }
  function expandTip(t, head, first, last, dflt, table) {
    var flags = t.g !== undefined ? t.g : dflt;
    var facts = [];
    first.forEach(function (f) { if (flags.indexOf(f[0]) >= 0) { facts.push(f[1]); } });
    facts = facts.concat(t.facts || []);
    last.forEach(function (f) { if (flags.indexOf(f[0]) >= 0) { facts.push(f[1]); } });
    var out = {head: t.head !== undefined ? t.head : head, facts: facts,
               passages: (t.p || []).map(function (i) { return table[i]; })};
    if (t.more !== undefined) { out.more = t.more; }
    return out;
  }
  function expand(data) {
    if (data.format !== 2) { return; }
    var table = data.passages || [], heads = {}, initiative = {};
    (data.initiatives || []).forEach(function (c) { initiative[c] = true; });
    data.nodes.forEach(function (n) {
      var style = styles[n.cls] || styles.Other, t = n.tip || {};
      if (n.shape === undefined) { n.shape = style.shape; }
      if (n.color === undefined) { n.color = style.color; }
      if (n.en === undefined) { n.en = ""; }
      if (n.aliases === undefined) { n.aliases = []; }
      if (n.years === undefined) { n.years = []; }
      if (n.label === undefined) { n.label = n.en && n.en !== n.ja ? n.ja + "\n" + n.en : n.ja; }
      var head = t.head !== undefined ? t.head : n.ja;
      var first = [["c", ["class", style.name_ja + " " + n.cls]], ["e", ["English", n.en]]];
      var last = n.years.length ? [["y", ["years", yearsText(n.years)]]] : [];
      var dflt = "c" + (n.en && n.en !== head ? "e" : "") +
        (n.years.length && !initiative[n.cls] ? "y" : "");
      n.tip = expandTip(t, n.ja, first, last, dflt, table);
      heads[n.id] = n.tip.head;
    });
    data.edges = data.edges.map(function (row) {
      var extra = row[3] || {};
      var e = {from: data.nodes[row[0]].id, to: data.nodes[row[1]].id, relation: data.relations[row[2]]};
      Object.keys(extra).forEach(function (k) { if (k !== "tip") { e[k] = extra[k]; } });
      if (e.label === undefined) {
        if (data.edgeLabels !== false) { e.label = e.relation; }
      } else if (e.label === null) { delete e.label; }
      var years = e.years || [];
      var head = (heads[e.from] !== undefined ? heads[e.from] : e.from) + " \u2014 " + e.relation +
        " \u2014 " + (heads[e.to] !== undefined ? heads[e.to] : e.to);
      var last = years.length ? [["y", ["years", years.join(", ")]]] : [];
      e.tip = expandTip(extra.tip || {}, head, [["r", ["relation", e.relation]]], last,
                        "r" + (years.length ? "y" : ""), table);
      return e;
    });
    delete data.passages;
  }

  // --- data -----------------------------------------------------------------------------
  var byId = {};
  var order = [];            // node ids, most important first
  var neighbours = {};       // id -> [[other id, edge id]]
  payload.nodes.forEach(function (n) {
    n.fullLabel = {ja: n.ja || n.en || n.id, en: n.en || n.ja || n.id};
    n.search = [n.ja, n.en, n.iso3].concat(n.aliases || []).filter(Boolean).map(norm);
    byId[n.id] = n;
    neighbours[n.id] = [];
  });
  order = payload.nodes.slice().sort(function (a, b) { return a.rank - b.rank; })
    .map(function (n) { return n.id; });
  payload.edges.forEach(function (e, i) {
    e.id = "e" + i;
    neighbours[e.from].push([e.to, e.id]);
    if (e.to !== e.from) { neighbours[e.to].push([e.from, e.id]); }
  });
  var edgeById = {};
  payload.edges.forEach(function (e) { edgeById[e.id] = e; });

  // one vis group per class of the style table: per-node options are what makes vis slow
  var groups = {};
  payload.nodes.forEach(function (n) {
    var key = n.cls + "|" + n.shape + "|" + n.color;
    if (!groups[key]) {
      groups[key] = {shape: n.shape,
                     color: {background: n.color, border: "#555555",
                             highlight: {background: n.color, border: "#111111"},
                             hover: {background: n.color, border: "#111111"}}};
    }
    n.group = key;
  });
  payload.options.groups = groups;
  var visNodes = payload.nodes.map(function (n) {
    var out = {id: n.id, x: n.x, y: n.y, size: n.size, group: n.group};
    if (n.hidden) { out.hidden = true; }
    return out;
  });
  payload.nodes.forEach(function (n) { n.hidden = !!n.hidden; });
  // A large view (payload.edgeLayer) gives vis-network no edge objects: building 20,000 of them
  // is most of what a 10,000-node page costs to open. Its edges are drawn here instead, as one
  // path per width and dash style under the nodes, and hovered or clicked by a nearest-segment
  // search (below); small views keep vis-network's own edges.
  var EDGE_LAYER = !!payload.edgeLayer;
  var visEdges = EDGE_LAYER ? [] : payload.edges.map(function (e) {
    var out = {id: e.id, from: e.from, to: e.to};
    e.hidden = byId[e.from].hidden || byId[e.to].hidden;
    if (e.hidden) { out.hidden = true; }
    if (e.width) { out.width = e.width; }
    if (e.dashes) { out.dashes = true; }
    return out;
  });
  var nodes = new vis.DataSet(visNodes);
  var edges = new vis.DataSet(visEdges);
  var container = document.getElementById("mynetwork");
  times.datasets = performance.now();
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, payload.options);
  times.network = performance.now();
  window.nodes = nodes;
  window.edges = edges;
  window.network = network;

  // --- state: classes shown, years, language, nodes revealed by hand ----------------------
  var state = {
    hiddenClasses: {},
    years: payload.years ? [payload.years[0], payload.years[1]] : null,
    lang: "both",
    revealed: {},
    hover: null,
    selected: null,
    edge: null,              // the hovered edge of the edge layer
    regions: false           // region hulls drawn
  };
  (payload.hiddenClasses || []).forEach(function (c) { state.hiddenClasses[c] = true; });

  function yearOk(years) {
    if (!state.years || !years || !years.length) { return true; }
    for (var i = 0; i < years.length; i++) {
      if (years[i] >= state.years[0] && years[i] <= state.years[1]) { return true; }
    }
    return false;
  }
  function shown(n) {
    if (state.revealed[n.id]) { return true; }
    return !state.hiddenClasses[n.cls] && yearOk(n.years);
  }
  function applyFilters(quiet) {
    var nodeChanges = [], edgeChanges = [];
    payload.nodes.forEach(function (n) {
      var hide = !shown(n);
      if (hide !== n.hidden) { n.hidden = hide; nodeChanges.push({id: n.id, hidden: hide}); }
    });
    payload.edges.forEach(function (e) {
      var hide = byId[e.from].hidden || byId[e.to].hidden || !yearOk(e.years);
      if (hide !== !!e.hidden) { e.hidden = hide; edgeChanges.push({id: e.id, hidden: hide}); }
    });
    if (nodeChanges.length) { nodes.update(nodeChanges); }
    if (edgeChanges.length && !EDGE_LAYER) { edges.update(edgeChanges); }
    var count = 0;
    payload.nodes.forEach(function (n) { if (!n.hidden) { count++; } });
    document.getElementById("bkg-count").textContent =
      count + " / " + payload.nodes.length + " nodes shown";
    document.querySelectorAll("#bkg-legend li").forEach(function (li) {
      var off = !!state.hiddenClasses[li.getAttribute("data-class")];
      li.classList.toggle("off", off);
      li.setAttribute("aria-pressed", off ? "false" : "true");
    });
    var people = document.getElementById("bkg-people");
    if (people) { people.checked = !state.hiddenClasses.Person || !state.hiddenClasses.Organization; }
    if (!quiet) { network.redraw(); }
  }

  // --- labels: drawn by us, at a constant screen size, never overlapping ------------------
  function clip(text, max) {
    var chars = Array.from(text);
    return chars.length <= max ? text : chars.slice(0, max - 1).join("") + "…";
  }
  function labelLines(n) {  // on the canvas: short; in full on hover, in the panel and search
    var ja = clip(n.fullLabel.ja, 16), en = clip(n.fullLabel.en, 26);
    if (state.lang === "ja") { return [ja]; }
    if (state.lang === "en") { return [en]; }
    return ja === en || !n.en ? [ja] : [ja, en];
  }
  var widthCache = {};
  function measure(ctx, text) {
    var w = widthCache[text];
    if (w === undefined) { w = ctx.measureText(text).width; widthCache[text] = w; }
    return w;
  }
  function labelBox(ctx, n, pos, scale, view, half) {
    var lines = labelLines(n);
    var w = 0;
    lines.forEach(function (t) { w = Math.max(w, measure(ctx, t)); });
    var x = (pos.x - view.x) * scale + half.w;
    var y = (pos.y - view.y) * scale + half.h + n.size * scale + 3;
    return {id: n.id, lines: lines, x: x - w / 2 - 2, y: y, w: w + 4, h: LINE * lines.length + 2,
            cx: x};
  }
  function overlaps(a, b) {
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
  }
  function drawLabel(ctx, box, strong) {
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    if (strong) {
      ctx.fillStyle = "rgba(255,255,255,0.92)";
      ctx.fillRect(box.x, box.y, box.w, box.h);
    }
    box.lines.forEach(function (t, i) {
      var y = box.y + 1 + i * LINE;
      ctx.lineWidth = 3;
      ctx.strokeStyle = "#ffffff";
      ctx.strokeText(t, box.cx, y);
      ctx.fillStyle = i === 0 ? "#222222" : "#555555";
      ctx.fillText(t, box.cx, y);
    });
  }
  window.bkgLabels = [];
  network.on("afterDrawing", function (ctx) {
    times.labelStart = performance.now();
    var canvas = ctx.canvas;
    var ratio = canvas.width / canvas.clientWidth;
    var scale = network.getScale();
    var view = network.getViewPosition();
    var half = {w: canvas.clientWidth / 2, h: canvas.clientHeight / 2};
    var budget = Math.max(8, Math.round(canvas.clientWidth * canvas.clientHeight / 9000));
    ctx.save();
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.font = LABEL_PX + "px " + FONT;
    var placed = [];
    var grid = {};
    var CELL = 80;
    function cells(b) {
      var out = [];
      for (var gx = Math.floor(b.x / CELL); gx <= Math.floor((b.x + b.w) / CELL); gx++) {
        for (var gy = Math.floor(b.y / CELL); gy <= Math.floor((b.y + b.h) / CELL); gy++) {
          out.push(gx + ":" + gy);
        }
      }
      return out;
    }
    var ids = [];
    // the most important nodes first; past a few candidates per label the rest are crowded
    // out anyway, so a 10,000-node view does not measure 10,000 labels on every redraw
    var tries = 0, maxTries = budget * 12;
    for (var i = 0; i < order.length && placed.length < budget && tries < maxTries; i++) {
      var n = byId[order[i]];
      if (n.hidden || n.id === state.hover) { continue; }
      var pos = network.getPosition(n.id);
      var sx = (pos.x - view.x) * scale + half.w, sy = (pos.y - view.y) * scale + half.h;
      if (sx < -50 || sy < -50 || sx > canvas.clientWidth + 50 || sy > canvas.clientHeight + 50) {
        continue;
      }
      tries++;
      var box = labelBox(ctx, n, pos, scale, view, half);
      var keys = cells(box), clash = false;
      for (var k = 0; k < keys.length && !clash; k++) {
        var inCell = grid[keys[k]] || [];
        for (var j = 0; j < inCell.length; j++) {
          if (overlaps(box, inCell[j])) { clash = true; break; }
        }
      }
      if (clash) { continue; }
      keys.forEach(function (key) { (grid[key] = grid[key] || []).push(box); });
      placed.push(box);
      ids.push(n.id);
    }
    placed.forEach(function (b) { drawLabel(ctx, b, false); });
    [state.selected, state.hover].forEach(function (id) {
      if (id && byId[id] && !byId[id].hidden && ids.indexOf(id) < 0) {
        drawLabel(ctx, labelBox(ctx, byId[id], network.getPosition(id), scale, view, half), true);
      }
    });
    ctx.restore();
    window.bkgLabels = placed.map(function (b) { return {id: b.id, lines: b.lines}; });
    times.labelPass = performance.now() - times.labelStart;
  });

  // --- tooltip on hover (built lazily, as text) -------------------------------------------
  var tipBox = el("div", "bkg-tooltip");
  tipBox.id = "bkg-tip";
  tipBox.hidden = true;
  document.body.appendChild(tipBox);
  function tipContent(t) {
    var root = el("div", "bkg-tip");
    root.appendChild(el("div", "bkg-tip-head", t.head));
    (t.facts || []).slice(0, 8).forEach(function (f) {
      var row = el("div", "bkg-tip-fact");
      row.appendChild(el("b", null, f[0] + ": "));
      row.appendChild(document.createTextNode(f[1]));
      root.appendChild(row);
    });
    if (t.passages && t.passages.length) {
      var list = el("ul", "bkg-tip-passages");
      t.passages.slice(0, 3).forEach(function (p) {
        var item = el("li");
        item.appendChild(el("span", "bkg-tip-doc", p[0] + (p[1] ? " ¶" + p[1] : "") + ": "));
        item.appendChild(document.createTextNode(p[2]));
        list.appendChild(item);
      });
      root.appendChild(list);
    }
    if (t.more) { root.appendChild(el("div", "bkg-tip-more", t.more)); }
    return root;
  }
  function showTip(t, dom) {
    tipBox.replaceChildren(tipContent(t));
    var box = container.getBoundingClientRect();
    tipBox.style.left = Math.min(box.left + dom.x + 14, window.innerWidth - 480) + "px";
    tipBox.style.top = (box.top + window.scrollY + dom.y + 14) + "px";
    tipBox.hidden = false;
  }
  network.on("hoverNode", function (p) {
    state.hover = p.node;
    showTip(byId[p.node].tip, p.pointer.DOM);
    network.redraw();
  });
  network.on("blurNode", function () { state.hover = null; tipBox.hidden = true; network.redraw(); });
  network.on("hoverEdge", function (p) { showTip(edgeById[p.edge].tip, p.pointer.DOM); });
  network.on("blurEdge", function () { tipBox.hidden = true; });

  // --- regions: a soft hull behind the countries of each UN sub-region (a toggle) -----------
  var REGION_FILL = ["#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7",
                     "#9c755f"];
  var regionNames = payload.regions || {};
  var regionColor = {};
  Object.keys(regionNames).sort().forEach(function (r, i) { regionColor[r] = REGION_FILL[i % REGION_FILL.length]; });
  function hull(points) {  // convex hull, monotone chain; points [[x, y]]
    var p = points.slice().sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    if (p.length < 3) { return p; }
    function cross(o, a, b) { return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]); }
    var lower = [], upper = [];
    p.forEach(function (q) {
      while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], q) <= 0) { lower.pop(); }
      lower.push(q);
    });
    p.slice().reverse().forEach(function (q) {
      while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], q) <= 0) { upper.pop(); }
      upper.push(q);
    });
    return lower.slice(0, -1).concat(upper.slice(0, -1));
  }
  function regionHulls() {  // [{region, name, members, points}] of the shown countries, 2 or more
    if (!state.regions) { return []; }
    var groups = {};
    payload.nodes.forEach(function (n) {
      if (n.hidden || !n.region || !regionNames[n.region]) { return; }
      var b = network.body.nodes[n.id];
      if (b) { (groups[n.region] = groups[n.region] || []).push([n.id, b.x, b.y]); }
    });
    return Object.keys(groups).sort().filter(function (r) { return groups[r].length > 1; }).map(function (r) {
      return {region: r, name: regionNames[r], members: groups[r].map(function (g) { return g[0]; }).sort(),
              points: hull(groups[r].map(function (g) { return [g[1], g[2]]; }))};
    });
  }
  network.on("beforeDrawing", function (ctx) {
    var hulls = regionHulls();
    if (!hulls.length) { return; }
    var pad = 28 / network.getScale();
    ctx.save();
    ctx.lineJoin = "round";
    ctx.lineCap = "round";
    hulls.forEach(function (h) {
      ctx.beginPath();
      h.points.forEach(function (p, i) { if (i) { ctx.lineTo(p[0], p[1]); } else { ctx.moveTo(p[0], p[1]); } });
      ctx.closePath();
      ctx.globalAlpha = 0.16;
      ctx.strokeStyle = ctx.fillStyle = regionColor[h.region];
      ctx.lineWidth = 2 * pad;  // the outline, thick and round, pads the hull by pad
      ctx.stroke();
      ctx.fill();
      ctx.globalAlpha = 0.9;
      var top = h.points.reduce(function (a, p) { return p[1] < a[1] ? p : a; }, h.points[0]);
      ctx.font = (12 / network.getScale()) + "px " + FONT;
      ctx.textAlign = "center";
      ctx.fillText(h.name + " " + h.region, top[0], top[1] - pad - 4 / network.getScale());
    });
    ctx.restore();
  });

  // --- the edge layer of a large view ------------------------------------------------------
  function endsOf(e) {
    var a = network.body.nodes[e.from], b = network.body.nodes[e.to];
    return a && b ? [a.x, a.y, b.x, b.y] : null;
  }
  function strokeEdges(ctx, list, color) {
    var styles = {};
    list.forEach(function (e) {
      var key = (e.width || 1) + (e.dashes ? "d" : "");
      (styles[key] = styles[key] || {width: e.width || 1, dashes: !!e.dashes, edges: []}).edges.push(e);
    });
    Object.keys(styles).sort().forEach(function (key) {
      var st = styles[key];
      ctx.beginPath();
      st.edges.forEach(function (e) {
        var p = endsOf(e);
        if (p) { ctx.moveTo(p[0], p[1]); ctx.lineTo(p[2], p[3]); }
      });
      ctx.lineWidth = st.width;
      ctx.setLineDash(st.dashes ? [5, 5] : []);
      ctx.strokeStyle = color;
      ctx.stroke();
    });
    ctx.setLineDash([]);
  }
  if (EDGE_LAYER) {
    network.on("beforeDrawing", function (ctx) {
      var lit = {};
      [state.selected, state.hover].forEach(function (id) { if (id) { lit[id] = true; } });
      var plain = [], strong = [];
      payload.edges.forEach(function (e) {
        if (e.hidden) { return; }
        (lit[e.from] || lit[e.to] || e.id === state.edge ? strong : plain).push(e);
      });
      ctx.save();
      strokeEdges(ctx, plain, "#b5b5b5");
      strokeEdges(ctx, strong, "#444444");
      ctx.restore();
    });
  }
  function nearestEdge(dom) {  // the shown edge within 6 screen pixels of a point, or null
    var c = network.DOMtoCanvas(dom), scale = network.getScale(), best = null;
    var limit = 6 / scale, bestD = limit * limit;
    payload.edges.forEach(function (e) {
      if (e.hidden) { return; }
      var p = endsOf(e);
      if (!p) { return; }
      var dx = p[2] - p[0], dy = p[3] - p[1], len = dx * dx + dy * dy;
      var t = len ? Math.max(0, Math.min(1, ((c.x - p[0]) * dx + (c.y - p[1]) * dy) / len)) : 0;
      var ex = p[0] + t * dx - c.x, ey = p[1] + t * dy - c.y, d = ex * ex + ey * ey;
      if (d < bestD) { bestD = d; best = e; }
    });
    return best;
  }
  if (EDGE_LAYER) {
    var pending = null;
    container.addEventListener("mousemove", function (ev) {
      var box = container.getBoundingClientRect();
      pending = {x: ev.clientX - box.left, y: ev.clientY - box.top};
      window.requestAnimationFrame(function () {
        if (!pending) { return; }
        var at = pending;
        pending = null;
        if (state.hover) { return; }  // a node's tooltip wins
        var e = nearestEdge(at);
        if (e && e.id !== state.edge) { state.edge = e.id; showTip(e.tip, at); network.redraw(); }
        else if (!e && state.edge) { state.edge = null; tipBox.hidden = true; network.redraw(); }
      });
    });
  }
  network.on("dragStart", function () { tipBox.hidden = true; });

  // --- side panel -------------------------------------------------------------------------
  var panel = document.getElementById("bkg-panel");
  var panelBody = document.getElementById("bkg-panel-body");
  function nodeButton(id, extra) {
    var n = byId[id];
    var full = n.en && n.en !== n.fullLabel.ja ? n.fullLabel.ja + " / " + n.en : n.fullLabel.ja;
    var b = el("button", "bkg-link", full + (extra ? " (" + extra + ")" : ""));
    b.type = "button";
    b.setAttribute("data-node", id);
    b.addEventListener("click", function () { reveal([id]); focusNode(id); });
    return b;
  }
  function factsBlock(t) {
    var dl = el("dl", "bkg-facts");
    (t.facts || []).forEach(function (f) {
      dl.appendChild(el("dt", null, f[0]));
      dl.appendChild(el("dd", null, f[1]));
    });
    return dl;
  }
  function passagesBlock(t) {
    var box = el("div", "bkg-passages");
    if (!t.passages || !t.passages.length) { return box; }
    box.appendChild(el("h3", null, "典拠 Passages"));
    t.passages.forEach(function (p) {
      var fig = el("figure", "bkg-passage");
      fig.appendChild(el("blockquote", null, p[2]));
      var cap = el("figcaption");
      cap.appendChild(el("cite", null, p[0]));
      if (p[1]) { cap.appendChild(document.createTextNode(" ¶" + p[1])); }
      if (p[3]) { cap.appendChild(el("span", "bkg-source", " — " + p[3])); }
      fig.appendChild(cap);
      box.appendChild(fig);
    });
    if (t.more) { box.appendChild(el("p", "bkg-tip-more", t.more)); }
    return box;
  }
  function openNode(id) {
    var n = byId[id];
    state.selected = id;
    var body = [];
    body.push(el("h2", null, n.fullLabel.ja));
    if (n.en && n.en !== n.ja) { body.push(el("p", "bkg-en", n.en)); }
    body.push(factsBlock(n.tip));
    body.push(passagesBlock(n.tip));
    var near = neighbours[id];
    if (near.length) {
      body.push(el("h3", null, "隣接 Neighbours (" + near.length + ")"));
      var list = el("ul", "bkg-neighbours");
      near.slice().sort(function (a, b) { return byId[a[0]].rank - byId[b[0]].rank; })
        .forEach(function (pair) {
          var li = el("li");
          li.appendChild(nodeButton(pair[0], edgeById[pair[1]].relation));
          list.appendChild(li);
        });
      body.push(list);
      var more = el("button", "bkg-expand", "隣接ノードを表示 Show all neighbours");
      more.type = "button";
      more.addEventListener("click", function () {
        reveal(near.map(function (p) { return p[0]; }));
      });
      body.push(more);
    }
    panelBody.replaceChildren.apply(panelBody, body);
    panel.hidden = false;
    panel.setAttribute("data-node", id);
  }
  function openEdge(eid) {
    var e = edgeById[eid];
    var body = [el("h2", null, e.relation)];
    var ends = el("p", "bkg-ends");
    ends.appendChild(nodeButton(e.from));
    ends.appendChild(document.createTextNode(" — "));
    ends.appendChild(nodeButton(e.to));
    body.push(ends, factsBlock(e.tip), passagesBlock(e.tip));
    state.selected = null;
    panelBody.replaceChildren.apply(panelBody, body);
    panel.hidden = false;
    panel.setAttribute("data-node", "");
  }
  document.getElementById("bkg-panel-close").addEventListener("click", function () {
    panel.hidden = true;
    state.selected = null;
    network.unselectAll();
    network.redraw();
  });
  network.on("click", function (p) {
    if (p.nodes.length) { openNode(p.nodes[0]); }
    else if (p.edges.length) { openEdge(p.edges[0]); }
    else if (EDGE_LAYER) {
      var e = nearestEdge(p.pointer.DOM);
      if (e) { openEdge(e.id); }
    }
  });
  network.on("doubleClick", function (p) {
    if (p.nodes.length) { reveal(neighbours[p.nodes[0]].map(function (x) { return x[0]; })); }
  });
  function reveal(ids) {
    ids.forEach(function (id) { state.revealed[id] = true; });
    applyFilters();
  }
  function focusNode(id) {
    network.selectNodes([id]);
    network.focus(id, {scale: Math.max(network.getScale(), 1.0), animation: false});
    openNode(id);
    network.redraw();
  }

  // --- legend, people toggle, years, language ---------------------------------------------
  document.querySelectorAll("#bkg-legend li").forEach(function (li) {
    li.addEventListener("click", function () {
      var cls = li.getAttribute("data-class");
      state.hiddenClasses[cls] = !state.hiddenClasses[cls];
      applyFilters();
    });
  });
  var people = document.getElementById("bkg-people");
  if (people) {
    people.addEventListener("change", function () {
      ["Person", "Organization", "Visit"].forEach(function (c) { state.hiddenClasses[c] = !people.checked; });
      applyFilters();
    });
  }
  var regionBox = document.getElementById("bkg-regions");
  if (regionBox) {
    regionBox.addEventListener("change", function () { state.regions = regionBox.checked; network.redraw(); });
  }
  var yFrom = document.getElementById("bkg-year-from"), yTo = document.getElementById("bkg-year-to");
  function onYears() {
    var a = parseInt(yFrom.value, 10), b = parseInt(yTo.value, 10);
    if (isNaN(a) || isNaN(b)) { return; }
    state.years = [Math.min(a, b), Math.max(a, b)];
    document.getElementById("bkg-years-shown").textContent = state.years[0] + "–" + state.years[1];
    applyFilters();
  }
  if (yFrom && yTo) {
    yFrom.addEventListener("input", onYears);
    yTo.addEventListener("input", onYears);
  }
  document.querySelectorAll("input[name=bkg-lang]").forEach(function (r) {
    r.addEventListener("change", function () { state.lang = r.value; network.redraw(); });
  });

  // --- search over labels and aliases, both languages -------------------------------------
  var find = document.getElementById("bkg-find");
  var hitsBox = document.getElementById("bkg-hits");
  function search(q) {
    q = norm(q).trim();
    if (!q) { return []; }
    var exact = [], part = [];
    order.forEach(function (id) {
      var keys = byId[id].search;
      if (keys.indexOf(q) >= 0) { exact.push(id); }
      else if (keys.some(function (k) { return k.indexOf(q) >= 0; })) { part.push(id); }
    });
    return exact.concat(part);
  }
  function showHits() {
    var hits = search(find.value);
    hitsBox.replaceChildren();
    hits.slice(0, 15).forEach(function (id) {
      var li = el("li");
      li.appendChild(nodeButton(id, byId[id].cls));
      hitsBox.appendChild(li);
    });
    hitsBox.hidden = !hits.length;
    return hits;
  }
  find.addEventListener("input", showHits);
  find.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      var hits = showHits();
      if (hits.length) { reveal([hits[0]]); focusNode(hits[0]); }
    }
  });

  // --- exports ----------------------------------------------------------------------------
  function legendEntries() {
    var counts = {};
    payload.nodes.forEach(function (n) { if (!n.hidden) { counts[n.cls] = (counts[n.cls] || 0) + 1; } });
    return payload.legend.filter(function (c) { return counts[c]; })
      .map(function (c) { return [c, styles[c] || styles.Other, counts[c]]; });
  }
  function pngDataURL() {
    var src = container.querySelector("canvas");
    var out = document.createElement("canvas");
    out.width = src.width;
    out.height = src.height;
    var ctx = out.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(src, 0, 0);
    var ratio = src.width / src.clientWidth;
    ctx.scale(ratio, ratio);
    ctx.font = "12px " + FONT;
    ctx.textBaseline = "middle";
    legendEntries().forEach(function (entry, i) {
      var y = 14 + i * 18;
      ctx.fillStyle = entry[1].color;
      ctx.beginPath();
      ctx.arc(14, y, 5, 0, 2 * Math.PI);
      ctx.fill();
      ctx.fillStyle = "#333333";
      ctx.fillText(entry[1].name_ja + " " + entry[0] + " (" + entry[2] + ")", 24, y);
    });
    return out.toDataURL("image/png");
  }
  function xml(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&apos;");
  }
  function shapePath(shape, x, y, r) {
    function poly(points) {
      return '<polygon points="' + points.map(function (p) {
        return (x + p[0] * r).toFixed(1) + "," + (y + p[1] * r).toFixed(1);
      }).join(" ") + '"';
    }
    if (shape === "square") { return '<rect x="' + (x - r).toFixed(1) + '" y="' + (y - r).toFixed(1) +
      '" width="' + (2 * r).toFixed(1) + '" height="' + (2 * r).toFixed(1) + '"'; }
    if (shape === "diamond") { return poly([[0, -1], [1, 0], [0, 1], [-1, 0]]); }
    if (shape === "triangle") { return poly([[0, -1], [0.87, 0.5], [-0.87, 0.5]]); }
    if (shape === "triangleDown") { return poly([[0, 1], [0.87, -0.5], [-0.87, -0.5]]); }
    if (shape === "hexagon") {
      return poly([0, 1, 2, 3, 4, 5].map(function (i) {
        var a = Math.PI / 3 * i; return [Math.cos(a), Math.sin(a)];
      }));
    }
    if (shape === "star") {
      var pts = [];
      for (var i = 0; i < 10; i++) {
        var a = -Math.PI / 2 + Math.PI / 5 * i, k = i % 2 ? 0.45 : 1;
        pts.push([k * Math.cos(a), k * Math.sin(a)]);
      }
      return poly(pts);
    }
    return '<circle cx="' + x.toFixed(1) + '" cy="' + y.toFixed(1) + '" r="' + r.toFixed(1) + '"';
  }
  function toSVG() {
    var W = container.clientWidth, H = container.clientHeight;
    var scale = network.getScale();
    var parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="' + W + '" height="' + H +
      '" viewBox="0 0 ' + W + " " + H + '" font-family="' + xml(FONT) + '">',
      '<rect width="100%" height="100%" fill="#ffffff"/>'];
    regionHulls().forEach(function (h) {
      var pts = h.points.map(function (p) {
        var d = network.canvasToDOM({x: p[0], y: p[1]});
        return d.x.toFixed(1) + "," + d.y.toFixed(1);
      });
      var top = h.points.reduce(function (a, p) { return p[1] < a[1] ? p : a; }, h.points[0]);
      var t = network.canvasToDOM({x: top[0], y: top[1]});
      parts.push('<g class="region" fill="' + regionColor[h.region] + '" stroke="' + regionColor[h.region] +
        '"><polygon points="' + pts.join(" ") + '" fill-opacity="0.16" stroke-opacity="0.16" stroke-width="56" ' +
        'stroke-linejoin="round"/><text x="' + t.x.toFixed(1) + '" y="' + (t.y - 32).toFixed(1) +
        '" font-size="12" text-anchor="middle" stroke="none">' + xml(h.name + " " + h.region) + "</text></g>");
    });
    parts.push('<g stroke="#b5b5b5">');
    var ids = nodes.getIds({filter: function (n) { return !n.hidden; }});
    var dom = {};
    ids.forEach(function (id) { dom[id] = network.canvasToDOM(network.getPosition(id)); });
    payload.edges.forEach(function (e) {
      if (e.hidden || !dom[e.from] || !dom[e.to]) { return; }
      parts.push('<line x1="' + dom[e.from].x.toFixed(1) + '" y1="' + dom[e.from].y.toFixed(1) +
        '" x2="' + dom[e.to].x.toFixed(1) + '" y2="' + dom[e.to].y.toFixed(1) + '" stroke-width="' +
        ((e.width || 1) * scale).toFixed(2) + '"/>');
    });
    parts.push("</g>", '<g stroke="#555555" stroke-width="1">');
    ids.forEach(function (id) {
      var n = byId[id];
      parts.push(shapePath(n.shape, dom[id].x, dom[id].y, n.size * scale) + ' fill="' + n.color +
        '"><title>' + xml(n.fullLabel.ja) + "</title>" +
        (n.shape === "square" ? "</rect>" : n.shape === "dot" ? "</circle>" : "</polygon>"));
    });
    parts.push("</g>", '<g font-size="' + LABEL_PX + '" text-anchor="middle" paint-order="stroke" ' +
      'stroke="#ffffff" stroke-width="3" stroke-linejoin="round">');
    window.bkgLabels.forEach(function (l) {
      var n = byId[l.id], p = dom[l.id];
      if (!p) { return; }
      l.lines.forEach(function (t, i) {
        var y = p.y + n.size * scale + 3 + 1 + i * LINE + LABEL_PX * 0.85;
        parts.push('<text x="' + p.x.toFixed(1) + '" y="' + y.toFixed(1) + '" fill="' +
          (i ? "#555555" : "#222222") + '">' + xml(t) + "</text>");
      });
    });
    parts.push("</g>", '<g font-size="12" stroke="none">');
    legendEntries().forEach(function (entry, i) {
      var y = 14 + i * 18;
      parts.push('<circle cx="14" cy="' + y + '" r="5" fill="' + entry[1].color + '"/>' +
        '<text x="24" y="' + (y + 4) + '" fill="#333333">' +
        xml(entry[1].name_ja + " " + entry[0] + " (" + entry[2] + ")") + "</text>");
    });
    parts.push("</g>", "</svg>");
    return parts.join("\n") + "\n";
  }
  function download(url, name) {
    var a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }
  document.getElementById("bkg-png").addEventListener("click", function () {
    download(pngDataURL(), "graph.png");
  });
  document.getElementById("bkg-svg").addEventListener("click", function () {
    download("data:image/svg+xml;charset=utf-8," + encodeURIComponent(toSVG()), "graph.svg");
  });

  window.bkg = {
    search: search,
    regions: function () {
      return regionHulls().map(function (h) { return {region: h.region, name: h.name, members: h.members}; });
    },
    setRegions: function (on) { if (regionBox) { regionBox.checked = !!on; } state.regions = !!on; network.redraw(); },
    shownEdges: function () {
      return payload.edges.filter(function (e) { return !e.hidden; }).map(function (e) {
        return {id: e.id, from: e.from, to: e.to, relation: e.relation, years: e.years || []};
      });
    },
    visibleIds: function () {
      return payload.nodes.filter(function (n) { return !n.hidden; }).map(function (n) { return n.id; });
    },
    labels: function () { return window.bkgLabels; },
    font: LABEL_PX + "px " + FONT,
    lineHeight: LINE,
    openNode: openNode,
    focusNode: focusNode,
    reveal: reveal,
    setYears: function (a, b) { yFrom.value = a; yTo.value = b; onYears(); },
    pngDataURL: pngDataURL,
    toSVG: toSVG
  };
  applyFilters(true);
  times.filtered = performance.now();
  network.fit({nodes: window.bkg.visibleIds(), animation: false});
  // a margin for the labels under the outermost nodes; a handful of nodes not blown up
  network.moveTo({scale: Math.min(network.getScale() * 0.92, 1.2), animation: false});
  times.fitted = performance.now();
  network.once("afterDrawing", function () {
    times.drawn = performance.now();
    window.bkgReady = true;
  });
  network.redraw();
})();
