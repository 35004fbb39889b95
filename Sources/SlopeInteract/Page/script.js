"use strict";
const SVG = "http://www.w3.org/2000/svg";
const chart = { width: 640, height: 420, left: 54, right: 16, top: 14, bottom: 42 };
const page = { session: null, state: null, running: false, history: [], pending: {}, sending: false, chain: Promise.resolve() };
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
async function openSession() {
  page.session = null;
  const state = await call("/api/session", {});
  page.session = state.session;
  page.history = [];
  render(state);
}

// ---- numbers and scales ------------------------------------------------------------
function fmt(value, digits = 4) {
  if (value === null || value === undefined) return "—";
  if (!isFinite(value)) return String(value);
  const size = Math.abs(value);
  if (size !== 0 && (size >= 1e5 || size < 1e-3)) return value.toExponential(digits - 1);
  return value.toFixed(digits);
}
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

// ---- drawing -----------------------------------------------------------------------
function drawChart(state) {
  const xs = state.curve.x, ys = state.points.y;
  const xDomain = extent(xs, 0), yDomain = extent(ys, 0.12);
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
  let d = "", pen = "M";
  state.curve.x.forEach((x, i) => {
    const y = state.curve.y[i];
    if (y === null || !isFinite(y)) { pen = "M"; return; }
    d += pen + sx(x).toFixed(2) + " " + clamp(sy(y)).toFixed(2);
    pen = "L";
  });
  $("curve").setAttribute("d", d);
}
function drawHistory() {
  const svg = $("history");
  svg.replaceChildren();
  const losses = page.history.filter((v) => v !== null && isFinite(v) && v > 0);
  const box = { x0: 54, x1: 624, y0: 88, y1: 8 };
  element("line", { x1: box.x0, x2: box.x1, y1: box.y0, y2: box.y0, class: "axis" }, svg);
  element("line", { x1: box.x0, x2: box.x0, y1: box.y1, y2: box.y0, class: "axis" }, svg);
  element("text", { x: box.x0, y: 106, class: "axis-title" }, svg).textContent =
    losses.length < 2 ? "loss at each step (press Step or Run)" : "loss at each step, log scale (" + losses.length + " steps)";
  if (losses.length < 2) return;
  const logs = losses.map(Math.log10);
  const [low, high] = extent(logs, 0.05);
  const sx = scale([0, losses.length - 1], [box.x0, box.x1]), sy = scale([low, high], [box.y0, box.y1]);
  const most = Math.max(...losses), least = Math.min(...losses);
  element("text", { x: box.x0 - 6, y: sy(Math.log10(most)) + 4, "text-anchor": "end", class: "tick" }, svg).textContent = fmt(most, 3);
  element("text", { x: box.x0 - 6, y: sy(Math.log10(least)) + 4, "text-anchor": "end", class: "tick" }, svg).textContent = fmt(least, 3);
  element("polyline", { points: logs.map((v, i) => sx(i).toFixed(1) + "," + sy(v).toFixed(1)).join(" "), class: "history-line" }, svg);
}
function buildTable(state) {
  const body = $("params").querySelector("tbody");
  body.replaceChildren();
  for (const p of state.params) {
    const row = document.createElement("tr");
    row.dataset.param = p.name;
    row.innerHTML = '<td class="name"></td><td class="slider"><input type="range"></td><td class="num value"></td>' +
      '<td class="num gradient"></td><td class="num last-gradient">—</td><td class="num move">—</td>';
    row.querySelector(".name").textContent = p.name;
    const slider = row.querySelector("input");
    slider.dataset.param = p.name;
    slider.setAttribute("aria-label", p.name);
    slider.addEventListener("input", () => moveSlider(p.name, Number(slider.value)));
    body.appendChild(row);
  }
}
function render(state) {
  const names = state.params.map((p) => p.name).join(",");
  if (!page.state || page.state.params.map((p) => p.name).join(",") !== names) buildTable(state);
  page.state = state;
  $("formula").textContent = state.formula;
  $("loss-kind").value = state.lossKind;
  $("loss").textContent = fmt(state.loss, 4);
  $("loss").dataset.value = state.loss === null ? "NaN" : String(state.loss);
  $("steps").textContent = state.steps;
  for (const p of state.params) {
    const row = $("params").querySelector('tr[data-param="' + p.name + '"]');
    const slider = row.querySelector("input");
    slider.min = p.min; slider.max = p.max; slider.step = (p.max - p.min) / 1000;
    if (!(p.name in page.pending)) {
      slider.value = p.value;
      row.querySelector(".value").textContent = fmt(p.value);
    }
    row.querySelector(".gradient").textContent = fmt(p.gradient);
  }
  const source = state.points;
  $("data-source").textContent = source.source === "file"
    ? source.x.length + " points from " + source.file
    : source.x.length + " noisy points of 3x² + 2x + 1 (seed " + source.seed + ")";
  $("new-points").disabled = page.running || source.source === "file";
  drawChart(state);
  drawHistory();
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
  sendSliders();
}
function sendSliders() {
  if (page.sending || Object.keys(page.pending).length === 0) return;
  page.sending = true;
  const body = page.pending;
  page.pending = {};
  serial(() => call("/api/params", body))
    .then((state) => { clearStep(); render(state); say(""); })
    .catch((error) => say(error.message, true))
    .finally(() => { page.sending = false; sendSliders(); });
}
async function step() {
  try {
    const lr = readNumber("lr", "learning rate", 1e-9, 10);
    const before = page.state.loss;
    const state = await serial(() => call("/api/step", { lr }));
    showStep(state.step);
    render(state);
    if (state.step.outcome === "diverged") say(state.step.message, true);
    else say("Step: loss " + fmt(before) + " → " + fmt(state.loss) + "; each parameter moved by −lr × its slope.");
  } catch (error) { say(error.message, true); }
}
function setRunning(running) {
  page.running = running;
  $("run").textContent = running ? "Stop" : "Run";
  for (const id of ["step", "reset", "loss-kind"]) $(id).disabled = running;
  $("new-points").disabled = running || (page.state && page.state.points.source === "file");
  for (const slider of document.querySelectorAll("#params input")) slider.disabled = running;
}
async function run() {
  if (page.running) { setRunning(false); return; }
  let settings;
  try {
    settings = { lr: readNumber("lr", "learning rate", 1e-9, 10), tol: readNumber("tol", "tolerance", 0, 1e6),
                 window: readNumber("window", "window", 1, 10000, true), cap: readNumber("max-steps", "step cap", 1, 1e6, true) };
  } catch (error) { say(error.message, true); return; }
  setRunning(true);
  const start = page.state.loss;
  let done = 0;
  say("Running…");
  try {
    while (page.running) {
      const steps = Math.min(25, settings.cap - done);
      if (steps <= 0) { say("Stopped at the step cap (" + settings.cap + " steps): loss " + fmt(start) + " → " + fmt(page.state.loss) + "."); break; }
      const state = await serial(() => call("/api/run", { lr: settings.lr, steps, tol: settings.tol, window: settings.window }));
      done += state.run.steps;
      showStep(state.run);
      render(state);
      if (state.run.outcome === "diverged") { say(state.run.message, true); break; }
      if (state.run.outcome === "converged") {
        say("Converged after " + done + " steps (the loss improved by less than " + settings.tol + " over " + settings.window +
            " steps): loss " + fmt(start) + " → " + fmt(state.loss) + ".");
        break;
      }
      if (!page.running) { say("Stopped after " + done + " steps: loss " + fmt(start) + " → " + fmt(state.loss) + "."); break; }
      await new Promise((resolve) => setTimeout(resolve, 16));
    }
  } catch (error) { say(error.message, true); }
  setRunning(false);
}
async function simple(path, body, text) {
  try {
    const state = await serial(() => call(path, body));
    clearStep();
    render(state);
    say(text);
  } catch (error) { say(error.message, true); }
}

$("step").addEventListener("click", step);
$("run").addEventListener("click", run);
$("reset").addEventListener("click", () => simple("/api/reset", {}, "Back to the starting values."));
$("new-points").addEventListener("click", () => simple("/api/points", {}, "New points drawn."));
$("loss-kind").addEventListener("change", () => simple("/api/loss", { loss: $("loss-kind").value }, "Now minimising " + $("loss-kind").value.toUpperCase() + "."));
serial(openSession).catch((error) => say("Could not reach the server: " + error.message, true));
