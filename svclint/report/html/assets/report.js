"use strict";
async function inflate(text) {
  const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return JSON.parse(await new Response(stream).text());
}
(async function () {
  const data = JSON.parse(document.getElementById("svclint-data").textContent);
  data.routing = await inflate(document.getElementById("svclint-routing").textContent.trim());
  const SVG = "http://www.w3.org/2000/svg";
  const SYMBOL = { allow: "\u2713", deny: "\u2717", partial: "\u25d0", "no-endpoints": "\u2205", "bad-target-port": "!", external: "\u2197" };
  const $ = (id) => document.getElementById(id);
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    for (const child of children) node.append(child);  // strings become text nodes: never HTML
    return node;
  }
  function svg(tag, attrs) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    return node;
  }
  const word = (verdict) => verdict.split(" ")[0];
  const kind = (verdict) => {
    const w = word(verdict);
    return w === "no-endpoints" || w === "bad-target-port" ? "broken" : w;
  };

  // -- findings ---------------------------------------------------------------------------
  function renderFindings() {
    const root = $("findings");
    if (!data.units.length) root.append(el("p", {}, "No findings."));
    for (const unit of data.units) {
      if (unit.unit) root.append(el("h2", {}, "Unit " + unit.unit));
      for (const file of unit.files) {
        const box = el("details", { class: "file", open: "" }, el("summary", {}, `${file.file} (${file.findings.length})`));
        for (const f of file.findings) {
          const item = el("div", { class: "finding" },
            el("span", { class: "sev " + f.severity }, f.severity), " ",
            el("span", { class: "rule" }, f.rule), " ", el("span", {}, f.name), " ",
            el("span", { class: "where" }, `${file.file}:${f.line}:${f.column}`),
            el("div", {}, f.message));
          if (f.context) {
            const pre = el("pre", { class: "context" });
            f.context.lines.forEach((text, i) => {
              const number = f.context.first + i;
              pre.append(el("span", number === f.line ? { class: "hit" } : {}, `${String(number).padStart(4)}  ${text}`));
            });
            item.append(pre);
          }
          for (const r of f.related) item.append(el("div", { class: "related" }, `${r.file}:${r.line}: ${r.text}`));
          box.append(item);
        }
        root.append(box);
      }
    }
  }

  // -- explain panel ----------------------------------------------------------------------
  function explain(ns, row, ports) {
    const panel = $("detail");
    panel.replaceChildren();
    const group = ns.rows[row];
    panel.append(el("h3", {}, group.sources[0] + (group.sources.length > 1 ? ` (+${group.sources.length - 1} with the same verdicts)` : "")));
    for (const index of ports) {
      const column = ns.columns[index];
      const cell = group.cells[index];
      const chain = el("div", { class: "chain" });
      for (const r of cell.reasons) {
        const [hop, text, depth, file, line] = data.routing.reasons[r];
        chain.append(el("div", { style: `padding-left:${depth * 16}px`, "data-hop": hop }, text,
          file ? el("span", { class: "where" }, `  [${file}:${line}]`) : ""));
      }
      panel.append(el("p", {}, `\u2192 ${column.label}: `, el("span", { class: "verdict " + kind(cell.verdict) }, cell.verdict)), chain);
    }
    if (group.sources.length > 1) panel.append(el("p", { class: "where" }, "Same verdicts: " + group.sources.slice(1).join(", ")));
  }

  // -- service map ------------------------------------------------------------------------
  function serviceVerdict(group, service) {
    const kinds = service.ports.map((i) => kind(group.cells[i].verdict));
    for (const k of ["broken", "allow", "partial", "external"]) if (kinds.includes(k)) return k === "allow" && kinds.includes("deny") ? "partial" : k;
    return "deny";
  }
  const short = (ns, name) => name.startsWith(ns.namespace + "/") ? name.slice(ns.namespace.length + 1) : name;
  function renderMap(ns) {
    const root = $("map");
    root.replaceChildren();
    const rowH = 30, width = 850, colX = [0, 310, 620], boxW = 230;
    const backends = [...new Set(ns.services.flatMap((s) => s.backends))].sort();
    const broken = ns.services.some((s) => !s.backends.length);
    const right = broken ? [...backends, "\u2205 no pods"] : backends;
    const height = Math.max(ns.rows.length, ns.services.length, right.length) * rowH + 20;
    const canvas = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img" });
    const y = (i) => 10 + i * rowH;
    const edges = svg("g", {}), nodes = svg("g", {});
    function node(x, i, label, cls, title) {
      const g = svg("g", { class: "node " + cls, transform: `translate(${x},${y(i)})` });
      g.append(svg("rect", { width: boxW, height: rowH - 8, rx: 4 }));
      const text = svg("text", { x: 6, y: 16 });
      text.textContent = label.length > 32 ? label.slice(0, 31) + "\u2026" : label;
      const tip = svg("title", {}); tip.textContent = title || label;
      g.append(text, tip);
      nodes.append(g);
    }
    function edge(x1, i1, x2, i2, cls, onclick, title) {
      const a = y(i1) + (rowH - 8) / 2, b = y(i2) + (rowH - 8) / 2, mid = (x1 + x2) / 2;
      const path = svg("path", { d: `M${x1},${a} C${mid},${a} ${mid},${b} ${x2},${b}`, class: "edge " + cls });
      const tip = svg("title", {}); tip.textContent = title; path.append(tip);
      if (onclick) path.addEventListener("click", onclick);
      edges.append(path);
    }
    ns.rows.forEach((group, r) => {
      const more = group.sources.length > 1 ? ` +${group.sources.length - 1}` : "";
      node(colX[0], r, short(ns, group.sources[0]) + more, group.entry ? "entry" : "", group.sources.join("\n"));
      ns.services.forEach((service, s) => {
        const v = serviceVerdict(group, service);
        edge(colX[0] + boxW, r, colX[1], s, v, () => explain(ns, r, service.ports), `${group.sources[0]} \u2192 ${service.name}: ${v}`);
      });
    });
    ns.services.forEach((service, s) => {
      const isBroken = !service.backends.length || service.ports.some((i) => ns.rows.length && word(ns.rows[0].cells[i].verdict) === "bad-target-port");
      node(colX[1], s, short(ns, service.name), "svc" + (isBroken ? " broken" : ""), `${service.name} (${service.kind})`);
      if (!service.backends.length) edge(colX[1] + boxW, s, colX[2], right.length - 1, "broken", () => explain(ns, 0, service.ports), `${service.name}: no pods`);
      for (const backend of service.backends) edge(colX[1] + boxW, s, colX[2], backends.indexOf(backend), "backend", null, `${service.name} \u2192 ${backend}`);
    });
    right.forEach((name, i) => node(colX[2], i, short(ns, name), i === backends.length ? "ghost" : "", name));
    canvas.append(edges, nodes);
    root.append(canvas);
  }

  // -- grid -------------------------------------------------------------------------------
  function renderGrid(ns, filter) {
    const root = $("grid");
    root.replaceChildren();
    // The filter keeps the rows whose sources match and the columns whose Service port
    // matches; when it matches only one side, the other is kept whole.
    const match = (text) => text.toLowerCase().includes(filter);
    const allColumns = ns.columns.map((c, i) => i), allRows = ns.rows.map((g, i) => i);
    const someColumns = filter ? allColumns.filter((i) => match(ns.columns[i].label)) : [];
    const someRows = filter ? allRows.filter((i) => ns.rows[i].sources.some(match)) : [];
    const columns = someColumns.length ? someColumns : allColumns;
    const rows = someRows.length ? someRows : allRows;
    const table = el("table", { class: "grid" });
    const head = el("tr", {}, el("th", {}, `source \\ Service port (in ${ns.namespace})`));
    for (const c of columns) head.append(el("th", { class: "col", title: ns.columns[c].label }, short(ns, ns.columns[c].label)));
    table.append(head);
    for (const r of rows) {
      const group = ns.rows[r];
      const tr = el("tr", {}, el("th", { class: "row", title: group.sources.join("\n") }, short(ns, group.sources[0]) + (group.sources.length > 1 ? ` +${group.sources.length - 1}` : "")));
      for (const c of columns) {
        const verdict = group.cells[c].verdict;
        const td = el("td", { class: kind(verdict), title: `${group.sources[0]} \u2192 ${ns.columns[c].label}: ${verdict}` }, SYMBOL[word(verdict)] || "?");
        td.addEventListener("click", () => explain(ns, r, [c]));
        tr.append(td);
      }
      table.append(tr);
    }
    root.append(table);
  }

  // -- wiring -----------------------------------------------------------------------------
  function show(tab) {
    for (const name of ["findings", "routing"]) {
      $("tab-" + name).classList.toggle("on", name === tab);
      $(name + "-section").classList.toggle("hidden", name !== tab);
    }
  }
  $("tab-findings").addEventListener("click", () => show("findings"));
  $("tab-routing").addEventListener("click", () => show("routing"));
  renderFindings();
  const routing = data.routing;
  if (!routing || !routing.namespaces.length) {
    $("routing-body").classList.add("hidden");
    $("map-note").textContent = data.mapNote || "No Service ports: nothing to draw.";
  } else {
    const select = $("namespace");
    routing.namespaces.forEach((ns, i) => select.append(el("option", { value: String(i) }, `${ns.namespace} (${ns.services.length} Services)`)));
    const current = () => routing.namespaces[Number(select.value)];
    const redraw = () => { renderMap(current()); renderGrid(current(), $("filter").value.trim().toLowerCase()); $("detail").replaceChildren(); };
    select.addEventListener("change", redraw);
    $("filter").addEventListener("input", () => renderGrid(current(), $("filter").value.trim().toLowerCase()));
    redraw();
    $("map-note").textContent = data.mapNote;
  }
  document.body.dataset.ready = "true";
})();
