"use strict";
const SVG = "http://www.w3.org/2000/svg";
const chart = { width: 640, height: 420, left: 54, right: 16, top: 14, bottom: 42 };
const surfaceBox = { x0: 52, x1: 408, y0: 352, y1: 10 };
const page = {
  session: null, state: null, running: false, stopRequested: false, history: [], pending: {}, sending: false,
  chain: Promise.resolve(), path: [], surface: null, surfaceKey: "", surfaceBusy: false, announceTimer: null,
};
const $ = (id) => document.getElementById(id);

// ---- talking to the server -------------------------------------------------------
function serial(task) {
  const result = page.chain.then(task, task);
  page.chain = result.catch(() => {});
  return result;
}
async function call(path, body, method = "POST") {
  const url = path + (page.session && path !== "/api/session" ? "?session=" + encodeURIComponent(page.session) : "");
  const options = { method, headers: { "Content-Type": "application/json" } };
  if (method !== "GET") options.body = JSON.stringify(body || {});
  const response = await fetch(url, options);
  let json = {};
  try { json = await response.json(); } catch (error) { json = { error: response.statusText }; }
  if (response.status === 404 && path !== "/api/session" && /session/.test(json.error || "")) {
    await openSession();
    throw new Error("the server had forgotten this page's session, so a new one was started");
  }
  if (!response.ok) throw new Error(json.error || ("HTTP " + response.status));
  return json;
}
async function openSession(body = {}) {
  const state = await call("/api/session", body);
  page.session = state.session;
  page.history = [];
  page.path = [];
  page.surfaceKey = "";
  page.surface = null;
  render(state, "start");
  return state;
}

// ---- numbers and scales ------------------------------------------------------------
function fmt(value, digits = 4) {
  if (value === null || value === undefined) return "—";
  if (!isFinite(value)) return String(value);
  const size = Math.abs(value);
  if (size !== 0 && (size >= 1e4 || size < 1e-3)) return value.toExponential(digits - 1);
  return value.toFixed(digits);
}
function plural(count, word) { return count + " " + word + (count === 1 ? "" : "s"); }
function niceStep(span, count) {
  const raw = span / count;
  const magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
  const f = raw / magnitude;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * magnitude;
}
function extent(values, pad) {
  let low = Math.min(...values), high = Math.max(...values);
  if (!(high > low)) { low -= 1; high += 1; }
  const margin = (high - low) * pad;
  return [low - margin, high + margin];
}
function scale(domain, range) {
  return (v) => range[0] + (v - domain[0]) * (range[1] - range[0]) / (domain[1] - domain[0]);
}
function element(name, attributes, parent) {
  const node = document.createElementNS(SVG, name);
  for (const key in attributes) node.setAttribute(key, attributes[key]);
  if (parent) parent.appendChild(node);
  return node;
}
function valuesOf(state) {
  const values = {};
  for (const p of state.params) values[p.name] = p.value;
  return values;
}

// ---- the fit chart -----------------------------------------------------------------
function drawChart(state) {
  const xs = state.curve.x, ys = state.points.y;
  const finite = state.curve.y.filter((y) => y !== null && isFinite(y));
  // The y range holds the points, and the curve too unless it strays far (then it is "off scale").
  const [low, high] = extent(ys, 0), span = high - low;
  const curveLow = Math.min(...finite), curveHigh = Math.max(...finite);
  const near = finite.length > 0 && curveLow >= low - span && curveHigh <= high + span;
  const xDomain = extent(xs, 0), yDomain = extent(near ? ys.concat([curveLow, curveHigh]) : ys, 0.08);
  const plot = { x0: chart.left, x1: chart.width - chart.right, y0: chart.height - chart.bottom, y1: chart.top };
  const sx = scale(xDomain, [plot.x0, plot.x1]), sy = scale(yDomain, [plot.y0, plot.y1]);
  const rect = $("plot-rect");
  rect.setAttribute("x", plot.x0); rect.setAttribute("y", plot.y1);
  rect.setAttribute("width", plot.x1 - plot.x0); rect.setAttribute("height", plot.y0 - plot.y1);

  const axes = $("axes");
  axes.replaceChildren();
  const xStep = niceStep(xDomain[1] - xDomain[0], 8), yStep = niceStep(yDomain[1] - yDomain[0], 6);
  for (let t = Math.ceil(xDomain[0] / xStep) * xStep; t <= xDomain[1] + 1e-9; t += xStep) {
    const x = sx(t);
    element("line", { x1: x, x2: x, y1: plot.y1, y2: plot.y0, class: "grid" }, axes);
    element("line", { x1: x, x2: x, y1: plot.y0, y2: plot.y0 + 5, class: "axis" }, axes);
    element("text", { x, y: plot.y0 + 18, "text-anchor": "middle", class: "tick" }, axes).textContent = +t.toPrecision(6);
  }
  for (let t = Math.ceil(yDomain[0] / yStep) * yStep; t <= yDomain[1] + 1e-9; t += yStep) {
    const y = sy(t);
    element("line", { x1: plot.x0, x2: plot.x1, y1: y, y2: y, class: "grid" }, axes);
    element("line", { x1: plot.x0 - 5, x2: plot.x0, y1: y, y2: y, class: "axis" }, axes);
    element("text", { x: plot.x0 - 8, y: y + 4, "text-anchor": "end", class: "tick" }, axes).textContent = +t.toPrecision(6);
  }
  element("line", { x1: plot.x0, x2: plot.x1, y1: plot.y0, y2: plot.y0, class: "axis" }, axes);
  element("line", { x1: plot.x0, x2: plot.x0, y1: plot.y1, y2: plot.y0, class: "axis" }, axes);
  element("text", { x: (plot.x0 + plot.x1) / 2, y: chart.height - 6, "text-anchor": "middle", class: "axis-title" }, axes).textContent = "x";
  element("text", { x: 14, y: (plot.y0 + plot.y1) / 2, "text-anchor": "middle", class: "axis-title",
                    transform: "rotate(-90 14 " + (plot.y0 + plot.y1) / 2 + ")" }, axes).textContent = "y";

  const points = $("points");
  points.replaceChildren();
  state.points.x.forEach((x, i) => element("circle", { cx: sx(x).toFixed(2), cy: sy(state.points.y[i]).toFixed(2), r: 4.5, class: "point" }, points));

  const clamp = (v) => Math.max(-1e5, Math.min(1e5, v));
  const pathOf = (values) => {
    let d = "", pen = "M";
    xs.forEach((x, i) => {
      const y = values[i];
      if (y === null || !isFinite(y)) { pen = "M"; return; }
      d += pen + sx(x).toFixed(2) + " " + clamp(sy(y)).toFixed(2);
      pen = "L";
    });
    return d;
  };
  $("curve").setAttribute("d", pathOf(state.curve.y));
  const pieces = $("pieces");
  pieces.replaceChildren();
  for (const piece of state.curve.pieces || []) element("path", { d: pathOf(piece), class: "piece" }, pieces);

  // Say so when the curve leaves the chart, above or below.
  const above = finite.some((y) => y > yDomain[1]), below = finite.some((y) => y < yDomain[0]);
  const off = finite.length < state.curve.y.length ? "curve off scale (not finite)"
    : above && below ? "curve off scale ↑↓" : above ? "curve off scale ↑ (up to " + fmt(Math.max(...finite), 3) + ")"
    : below ? "curve off scale ↓ (down to " + fmt(Math.min(...finite), 3) + ")" : "";
  $("off-scale").textContent = off;
  $("chart").dataset.offScale = off ? "true" : "false";
  $("chart-desc").textContent = state.points.x.length + " points and the curve " + state.formula + (off ? "; the " + off : "") + ".";
}
function drawHistory() {
  const svg = $("history-plot");
  svg.replaceChildren();
  const losses = page.history.filter((v) => v !== null && isFinite(v) && v > 0);
  const box = { x0: 54, x1: 624, y0: 88, y1: 8 };
  element("line", { x1: box.x0, x2: box.x1, y1: box.y0, y2: box.y0, class: "axis" }, svg);
  element("line", { x1: box.x0, x2: box.x0, y1: box.y1, y2: box.y0, class: "axis" }, svg);
  element("text", { x: box.x0, y: 106, class: "axis-title" }, svg).textContent =
    losses.length < 2 ? "loss at each step (press Step or Run)" : "loss at each step, log scale (" + plural(losses.length, "step") + ")";
  if (losses.length < 2) return;
  const logs = losses.map(Math.log10);
  const [low, high] = extent(logs, 0.05);
  const sx = scale([0, losses.length - 1], [box.x0, box.x1]), sy = scale([low, high], [box.y0, box.y1]);
  const most = Math.max(...losses), least = Math.min(...losses);
  element("text", { x: box.x0 - 6, y: sy(Math.log10(most)) + 4, "text-anchor": "end", class: "tick" }, svg).textContent = fmt(most, 3);
  element("text", { x: box.x0 - 6, y: sy(Math.log10(least)) + 4, "text-anchor": "end", class: "tick" }, svg).textContent = fmt(least, 3);
  element("polyline", { points: logs.map((v, i) => sx(i).toFixed(1) + "," + sy(v).toFixed(1)).join(" "), class: "history-line" }, svg);
}

// ---- the loss surface ----------------------------------------------------------------
function surfaceAxes() { return [$("surface-x").value, $("surface-y").value]; }
function buildSurfaceChoices(state) {
  const names = state.params.map((p) => p.name);
  for (const [id, index] of [["surface-x", 0], ["surface-y", 1]]) {
    const select = $(id);
    select.replaceChildren();
    for (const name of names) {
      const option = document.createElement("option");
      option.value = name; option.textContent = name;
      select.appendChild(option);
    }
    select.value = names[Math.min(index, names.length - 1)];
  }
  $("surface-x").disabled = $("surface-y").disabled = names.length < 2;
}
/// What the surface depends on besides its own two parameters' values.
function surfaceKey(state) {
  const [xName, yName] = surfaceAxes();
  const others = state.params.filter((p) => p.name !== xName && p.name !== yName).map((p) => p.name + "=" + p.value);
  const ranges = state.params.filter((p) => p.name === xName || p.name === yName).map((p) => p.min + ":" + p.max);
  return [state.function, state.lossKind, state.points.seed, state.points.x.length, xName, yName, ...ranges, ...others].join("|");
}
function refreshSurface() {
  const state = page.state;
  if (!state || state.params.length < 2) { drawSurface(); return; }
  const key = surfaceKey(state);
  if (key === page.surfaceKey || page.surfaceBusy) { drawSurface(); return; }
  page.surfaceBusy = true;
  const [x, y] = surfaceAxes();
  serial(() => call("/api/surface", { x, y, size: 31 }))
    .then((surface) => { page.surface = surface; page.surfaceKey = key; })
    .catch((error) => say("Loss surface: " + error.message, true))
    .finally(() => { page.surfaceBusy = false; drawSurface(); if (page.state && surfaceKey(page.state) !== page.surfaceKey) refreshSurface(); });
}
function heat(t) {
  // Low loss dark blue, high loss pale yellow (viridis-like stops).
  const stops = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  const u = Math.max(0, Math.min(1, t)) * (stops.length - 1), i = Math.min(stops.length - 2, Math.floor(u)), f = u - i;
  const c = stops[i].map((v, k) => Math.round(v + (stops[i + 1][k] - v) * f));
  return "rgb(" + c.join(",") + ")";
}
function drawSurface() {
  const surface = page.surface, state = page.state;
  const svg = $("surface");
  const [xName, yName] = surfaceAxes();
  if (!state || !surface || surface.x !== xName || surface.y !== yName) return;
  const b = surfaceBox;
  const xs = surface.xs, ys = surface.ys, n = xs.length, m = ys.length;
  const sx = scale([xs[0], xs[n - 1]], [b.x0, b.x1]), sy = scale([ys[0], ys[m - 1]], [b.y0, b.y1]);
  const rect = $("surface-rect");
  rect.setAttribute("x", b.x0); rect.setAttribute("y", b.y1); rect.setAttribute("width", b.x1 - b.x0); rect.setAttribute("height", b.y0 - b.y1);

  const cells = $("surface-cells");
  if (cells.dataset.key !== page.surfaceKey) {
    cells.dataset.key = page.surfaceKey;
    cells.replaceChildren();
    const logs = surface.losses.map((v) => (v !== null && isFinite(v) && v > 0 ? Math.log10(v) : null));
    const finite = logs.filter((v) => v !== null);
    const low = Math.min(...finite), high = Math.max(...finite);
    const w = (b.x1 - b.x0) / n, h = (b.y0 - b.y1) / m;
    for (let j = 0; j < m; j++) {
      for (let i = 0; i < n; i++) {
        const v = logs[j * n + i];
        element("rect", { x: (b.x0 + i * w).toFixed(2), y: (b.y0 - (j + 1) * h).toFixed(2), width: (w + 0.4).toFixed(2), height: (h + 0.4).toFixed(2),
                          fill: v === null ? "#ccc" : heat(high > low ? (v - low) / (high - low) : 0.5) }, cells);
      }
    }
    const axes = $("surface-axes");
    axes.replaceChildren();
    element("rect", { x: b.x0, y: b.y1, width: b.x1 - b.x0, height: b.y0 - b.y1, class: "frame" }, axes);
    for (const t of [xs[0], (xs[0] + xs[n - 1]) / 2, xs[n - 1]]) {
      element("text", { x: sx(t), y: b.y0 + 16, "text-anchor": "middle", class: "tick" }, axes).textContent = +t.toPrecision(4);
    }
    for (const t of [ys[0], (ys[0] + ys[m - 1]) / 2, ys[m - 1]]) {
      element("text", { x: b.x0 - 6, y: sy(t) + 4, "text-anchor": "end", class: "tick" }, axes).textContent = +t.toPrecision(4);
    }
    element("text", { x: (b.x0 + b.x1) / 2, y: b.y0 + 38, "text-anchor": "middle", class: "axis-title" }, axes).textContent = xName + " →";
    element("text", { x: 12, y: (b.y0 + b.y1) / 2, "text-anchor": "middle", class: "axis-title",
                      transform: "rotate(-90 12 " + (b.y0 + b.y1) / 2 + ")" }, axes).textContent = yName + " →";
  }

  // The path: one segment per move, drawn by what made it.
  const pathGroup = $("surface-path");
  pathGroup.replaceChildren();
  const visible = page.path.filter((p) => xName in p.values && yName in p.values);
  for (let k = 1; k < visible.length; k++) {
    const a = visible[k - 1], c = visible[k];
    element("line", { x1: sx(a.values[xName]).toFixed(2), y1: sy(a.values[yName]).toFixed(2),
                      x2: sx(c.values[xName]).toFixed(2), y2: sy(c.values[yName]).toFixed(2), class: "move-" + c.kind, "data-kind": c.kind }, pathGroup);
    if (c.kind === "step") element("circle", { cx: sx(c.values[xName]).toFixed(2), cy: sy(c.values[yName]).toFixed(2), r: 2.2, class: "move-step-dot" }, pathGroup);
  }

  const values = valuesOf(state);
  const cx = sx(values[xName]), cy = sy(values[yName]);
  const current = $("surface-current");
  current.setAttribute("cx", cx.toFixed(2)); current.setAttribute("cy", cy.toFixed(2));
  const gradients = {};
  for (const p of state.params) gradients[p.name] = p.gradient;
  const gx = gradients[xName], gy = gradients[yName];
  const arrow = $("surface-arrow");
  // −gradient in screen units (the y axis points up), drawn 40 px long.
  const dx = -gx * (b.x1 - b.x0) / (xs[n - 1] - xs[0]), dy = gy * (b.y0 - b.y1) / (ys[m - 1] - ys[0]);
  const length = Math.hypot(dx, dy);
  if (isFinite(length) && length > 0) {
    arrow.setAttribute("x1", cx.toFixed(2)); arrow.setAttribute("y1", cy.toFixed(2));
    arrow.setAttribute("x2", (cx + 40 * dx / length).toFixed(2)); arrow.setAttribute("y2", (cy + 40 * dy / length).toFixed(2));
    arrow.setAttribute("visibility", "visible");
  } else {
    arrow.setAttribute("visibility", "hidden");
  }
  const label = "Loss surface over " + xName + " (across, " + fmt(xs[0], 3) + " to " + fmt(xs[n - 1], 3) + ") and " + yName +
    " (up, " + fmt(ys[0], 3) + " to " + fmt(ys[m - 1], 3) + "), the other parameters held; current point " + xName + " = " +
    fmt(values[xName]) + ", " + yName + " = " + fmt(values[yName]) + ", loss " + fmt(state.loss) + "; " + plural(visible.length - 1, "move") + " drawn";
  svg.setAttribute("aria-label", label);
  $("surface-desc").textContent = label + ".";
  svg.dataset.x = xName; svg.dataset.y = yName;
}

// ---- the table and the page ----------------------------------------------------------
function buildTable(state) {
  const body = $("params").querySelector("tbody");
  body.replaceChildren();
  for (const p of state.params) {
    const row = document.createElement("tr");
    row.dataset.param = p.name;
    row.innerHTML = '<th scope="row" class="name"></th><td class="slider"><input type="range"></td><td class="num value"></td>' +
      '<td class="num gradient" data-label="slope now"></td><td class="num last-gradient" data-label="last slope">—</td>' +
      '<td class="num move" data-label="move">—</td>';
    row.querySelector(".name").textContent = p.name;
    const slider = row.querySelector("input");
    slider.dataset.param = p.name;
    slider.setAttribute("aria-label", "parameter " + p.name);
    slider.addEventListener("input", () => moveSlider(p.name, Number(slider.value)));
    body.appendChild(row);
  }
  buildSurfaceChoices(state);
}
function render(state, kind) {
  const names = state.params.map((p) => p.name).join(",");
  if (!page.state || page.state.params.map((p) => p.name).join(",") !== names || page.state.function !== state.function) buildTable(state);
  page.state = state;
  $("formula").textContent = state.formula;
  if (document.activeElement !== $("function-input")) $("function-input").value = state.function;
  $("loss-kind").value = state.lossKind;
  $("loss").textContent = fmt(state.loss, 4);
  $("loss").dataset.value = state.loss === null ? "NaN" : String(state.loss);
  $("steps").textContent = state.steps;
  $("steps-word").textContent = state.steps === 1 ? "step" : "steps";
  for (const p of state.params) {
    const row = $("params").querySelector('tr[data-param="' + p.name + '"]');
    const slider = row.querySelector("input");
    slider.min = p.min; slider.max = p.max; slider.step = (p.max - p.min) / 1000;
    if (!(p.name in page.pending)) {
      slider.value = p.value;
      row.querySelector(".value").textContent = fmt(p.value);
      slider.setAttribute("aria-valuetext", p.name + " = " + fmt(p.value));
    }
    row.querySelector(".gradient").textContent = fmt(p.gradient);
  }
  const source = state.points;
  $("data-source").textContent = source.source === "file"
    ? source.x.length + " points from " + source.file
    : source.x.length + " noisy points of 3x² + 2x + 1 (seed " + source.seed + ")";
  $("new-points").disabled = page.running || source.source === "file";
  if (kind === "start") page.path = [];
  if (kind) {
    page.path.push({ values: valuesOf(state), kind });
    if (page.path.length > 5000) page.path.splice(1, page.path.length - 5000);
  }
  drawChart(state);
  drawHistory();
  refreshSurface();
}
function announce(delay = 0) {
  clearTimeout(page.announceTimer);
  page.announceTimer = setTimeout(() => {
    const state = page.state;
    if (state) $("loss-announce").textContent = "Loss " + fmt(state.loss) + " after " + plural(state.steps, "step") + ".";
  }, delay);
}
function showStep(descent) {
  for (const name in descent.gradients || {}) {
    const row = $("params").querySelector('tr[data-param="' + name + '"]');
    row.querySelector(".last-gradient").textContent = fmt(descent.gradients[name]);
    row.querySelector(".move").textContent = fmt(descent.moves[name]);
  }
  page.history.push(...descent.losses);
  if (page.history.length > 20000) page.history.splice(0, page.history.length - 20000);
}
function clearStep() {
  for (const cell of document.querySelectorAll(".last-gradient, .move")) cell.textContent = "—";
  page.history = [];
}
function say(text, warn = false) {
  $("message").textContent = text;
  $("message").className = warn ? "warn" : "";
}
function readNumber(id, what, low, high, integer = false) {
  const value = Number($(id).value);
  if ($(id).value.trim() === "" || !isFinite(value) || value < low || value > high || (integer && !Number.isInteger(value))) {
    throw new Error("the " + what + " must be " + (integer ? "a whole number" : "a number") + " from " + low + " to " + high);
  }
  return value;
}

// ---- actions -------------------------------------------------------------------------
function moveSlider(name, value) {
  page.pending[name] = value;
  const row = $("params").querySelector('tr[data-param="' + name + '"]');
  row.querySelector(".value").textContent = fmt(value);
  row.querySelector("input").setAttribute("aria-valuetext", name + " = " + fmt(value));
  sendSliders();
}
function sendSliders() {
  if (page.sending || Object.keys(page.pending).length === 0) return;
  page.sending = true;
  const body = page.pending;
  page.pending = {};
  serial(() => call("/api/params", body))
    .then((state) => { clearStep(); render(state, "hand"); say(""); announce(600); })
    .catch((error) => say(error.message, true))
    .finally(() => { page.sending = false; sendSliders(); });
}
async function step() {
  try {
    const lr = readNumber("lr", "learning rate", 1e-9, 10);
    const before = page.state.loss;
    const state = await serial(() => call("/api/step", { lr }));
    showStep(state.step);
    render(state, "step");
    if (state.step.outcome === "diverged") say(state.step.message, true);
    else if (state.step.warning) say("Warning: " + state.step.warning + ".", true);
    else say("Step: loss " + fmt(before) + " → " + fmt(state.loss) + "; each parameter moved by −lr × its slope.");
    announce();
  } catch (error) { say(error.message, true); }
}
function applyLearningRate() {
  try {
    const lr = readNumber("lr", "learning rate", 1e-9, 10);
    say("Learning rate " + lr + ": Step and Run use it.");
  } catch (error) { say(error.message, true); }
}
function setRunning(running) {
  page.running = running;
  $("run").textContent = running ? "Stop" : "Run";
  for (const id of ["step", "reset", "loss-kind", "function-apply", "surface-x", "surface-y"]) $(id).disabled = running;
  $("new-points").disabled = running || (page.state && page.state.points.source === "file");
  for (const slider of document.querySelectorAll("#params input")) slider.disabled = running;
}
async function run() {
  if (page.running) { page.stopRequested = true; $("run").disabled = true; return; }
  let settings;
  try {
    settings = { lr: readNumber("lr", "learning rate", 1e-9, 10), tol: readNumber("tol", "tolerance", 0, 1e6),
                 window: readNumber("window", "window", 1, 10000, true), cap: readNumber("max-steps", "step cap", 1, 1e6, true) };
  } catch (error) { say(error.message, true); return; }
  page.stopRequested = false;
  setRunning(true);
  const start = page.state.loss;
  let done = 0, warning = null, text = null, warn = false;
  say("Running…");
  try {
    while (true) {
      if (page.stopRequested) { text = "Stopped after " + plural(done, "step") + ": loss " + fmt(start) + " → " + fmt(page.state.loss) + "."; break; }
      const steps = Math.min(25, settings.cap - done);
      if (steps <= 0) { text = "Stopped at the step cap (" + plural(settings.cap, "step") + "): loss " + fmt(start) + " → " + fmt(page.state.loss) + "."; break; }
      const state = await serial(() => call("/api/run", { lr: settings.lr, steps, tol: settings.tol, window: settings.window }));
      done += state.run.steps;
      showStep(state.run);
      render(state, "step");
      if (state.run.warning && !warning) { warning = state.run.warning; say("Running… Warning: " + warning + ".", true); }
      if (state.run.outcome === "diverged") { text = state.run.message; warn = true; break; }
      if (state.run.outcome === "converged") {
        text = "Converged after " + plural(done, "step") + " (the loss improved by less than " + settings.tol + " over " +
               plural(settings.window, "step") + "): loss " + fmt(start) + " → " + fmt(state.loss) + ".";
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 16));
    }
  } catch (error) { text = error.message; warn = true; }
  const end = page.state.loss;
  if (!warning && start > 0 && end > 2 * start) {
    warning = "the loss rose from " + fmt(start) + " to " + fmt(end) + " over this run with learning rate " + settings.lr + ": try a smaller one, like " + settings.lr / 10;
  }
  if (warning) { text += " Warning: " + warning + "."; warn = true; }
  say(text, warn);
  setRunning(false);
  $("run").disabled = false;
  announce();
}
async function simple(path, body, text) {
  try {
    const state = await serial(() => call(path, body));
    clearStep();
    render(state, "start");
    say(text);
    announce();
  } catch (error) { say(error.message, true); }
}
async function applyFunction(event) {
  event.preventDefault();
  const text = $("function-input").value.trim();
  $("function-error").textContent = "";
  try {
    const state = await serial(() => openSession({ function: text, loss: $("loss-kind").value }));
    clearStep();
    say("Now fitting " + state.formula + " (" + state.params.map((p) => p.name).join(", ") + ").");
    announce();
  } catch (error) {
    $("function-error").textContent = error.message;
    $("function-input").focus();
  }
}

$("step").addEventListener("click", step);
$("run").addEventListener("click", run);
$("reset").addEventListener("click", () => simple("/api/reset", {}, "Back to the starting values."));
$("new-points").addEventListener("click", () => simple("/api/points", {}, "New points drawn."));
$("loss-kind").addEventListener("change", () => simple("/api/loss", { loss: $("loss-kind").value }, "Now minimising " + $("loss-kind").value.toUpperCase() + "."));
$("lr").addEventListener("keydown", (event) => { if (event.key === "Enter") { event.preventDefault(); applyLearningRate(); } });
$("function-form").addEventListener("submit", applyFunction);
for (const id of ["surface-x", "surface-y"]) {
  $(id).addEventListener("change", () => {
    const [x, y] = surfaceAxes();
    if (x === y) {
      const other = page.state.params.map((p) => p.name).find((name) => name !== x);
      $(id === "surface-x" ? "surface-y" : "surface-x").value = other;
    }
    refreshSurface();
  });
}
serial(() => openSession()).catch((error) => say("Could not reach the server: " + error.message, true));
