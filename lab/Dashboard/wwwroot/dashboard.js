// Skylark.Events dashboard: draws /api/topology and follows /api/events (one snapshot a second).
// Written for this project; no third-party code, no network access needed beyond the dashboard itself.
'use strict';

const SVG = 'http://www.w3.org/2000/svg';
const ROWS = { cloud: 55, satellite: 175, edge: 300 };
const MODE_COLOURS = ['#5aa9ff', '#ffb547', '#62d492', '#ff5c8a', '#b18cff'];
const BUNDLE_MS = 1200;

const positions = new Map();   // node name -> {x, y}
const linkGroups = new Map();  // link id "a->b" -> <g>
const curves = new Map();      // link id -> {a, c, b}: a quadratic curve from a to b through control point c
const bundles = [];            // moving dots: {el, from, to, started}
const workflowItems = new Map();
let selectedWorkflow = null;
let drawnMode = null;          // the mode whose run the topology was fetched for
let topologyLoading = null;    // a pending /api/topology fetch, so a mode change fetches it once
let modeOrder = [];            // modes in the order they ran; a mode's colour is its place here

const $ = (id) => document.getElementById(id);
const el = (name, attrs = {}, parent = null) => {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (parent) parent.appendChild(node);
  return node;
};
const percent = (x) => (x == null ? '–' : (100 * x).toFixed(1) + ' %');
const ms = (x) => (x == null ? '–' : x < 1000 ? x.toFixed(0) + ' ms' : (x / 1000).toFixed(2) + ' s');
const rate = (bytes) => bytes >= 1e6 ? (bytes / 1e6).toFixed(1) + ' MB/s' : bytes >= 1e3 ? (bytes / 1e3).toFixed(1) + ' kB/s' : bytes + ' B/s';

async function loadTopology() {
  for (;;) {
    try {
      const response = await fetch('api/topology');
      if (response.ok) return drawTopology(await response.json());
    } catch (e) { /* the run is still starting; try again */ }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

// `skylark demo --compare` attaches one run per mode to the same dashboard: each brings its own cluster, so the
// picture, the workflows and the dead letters start again, while the charts keep every mode run so far.
function followMode(mode) {
  if (!mode || mode === drawnMode || topologyLoading) return;
  topologyLoading = loadTopology().finally(() => { topologyLoading = null; });
  workflowItems.clear();
  $('workflows').replaceChildren();
  $('dead-letters').innerHTML = '<li class="empty">none</li>';
}

const modeColour = (mode) => {
  if (!modeOrder.includes(mode)) modeOrder.push(mode);
  return MODE_COLOURS[modeOrder.indexOf(mode) % MODE_COLOURS.length];
};

function drawTopology(topology) {
  const svg = $('topology');
  svg.replaceChildren();
  positions.clear();
  linkGroups.clear();
  curves.clear();
  drawnMode = topology.mode;
  $('run').textContent = `${topology.name} · mode ${topology.mode} · control plane on ${topology.controlNode}`;
  const byType = {};
  for (const node of topology.nodes) (byType[node.type] ??= []).push(node);
  for (const [type, nodes] of Object.entries(byType)) {
    nodes.forEach((node, i) => positions.set(node.name, { x: (800 * (i + 1)) / (nodes.length + 1), y: ROWS[type] ?? 300 }));
  }
  const links = el('g', { class: 'links' }, svg);
  for (const link of topology.links) {
    const a = positions.get(link.from), b = positions.get(link.to);
    const curve = { a, b, c: controlPoint(a, b, link, topology.nodes) };
    const g = el('g', { class: link.ground ? 'link ground' : 'link', 'data-link': link.id }, links);
    // A satellite's link to the ground: the current snapshot decides which of them are up (data-up).
    if (link.ground) g.setAttribute('data-ground', link.ground);
    el('path', { d: `M ${a.x} ${a.y} Q ${curve.c.x} ${curve.c.y} ${b.x} ${b.y}` }, g);
    // The label sits beside the link's middle, on the side its bend points to, clear of the line and the nodes.
    const mid = pointOn(curve, 0.5);
    const steep = Math.abs(b.y - a.y) > Math.abs(b.x - a.x);
    const bent = curve.c.x !== (a.x + b.x) / 2 || curve.c.y !== (a.y + b.y) / 2;
    const side = bent && curve.c.x < (a.x + b.x) / 2 ? -1 : 1;
    el('text', steep
      ? { x: mid.x + side * 8, y: mid.y + 3, 'text-anchor': side > 0 ? 'start' : 'end' }
      : { x: mid.x, y: mid.y - 6 }, g);
    linkGroups.set(link.id, g);
    curves.set(link.id, curve);
  }
  const nodes = el('g', { class: 'nodes' }, svg);
  for (const node of topology.nodes) {
    const p = positions.get(node.name);
    const g = el('g', { class: `node ${node.type}`, 'data-node': node.name }, nodes);
    el('circle', { cx: p.x, cy: p.y, r: 17 }, g);
    el('text', { x: p.x, y: p.y + 31 }, g).textContent = node.name;
    if (node.functions.length) el('text', { x: p.x, y: p.y + 43, class: 'functions' }, g).textContent = node.functions.join(', ');
    el('title', {}, g).textContent = `${node.name} (${node.type})`;
  }
}

// A straight link that would pass over another node bends around it, so every link stays visible.
function controlPoint(a, b, link, nodes) {
  const mid = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
  const dx = b.x - a.x, dy = b.y - a.y, length = Math.hypot(dx, dy) || 1;
  const blocked = nodes.some((n) => {
    if (n.name === link.from || n.name === link.to) return false;
    const p = positions.get(n.name);
    const t = ((p.x - a.x) * dx + (p.y - a.y) * dy) / (length * length);
    if (t <= 0 || t >= 1) return false;
    return Math.hypot(a.x + t * dx - p.x, a.y + t * dy - p.y) < 30;
  });
  const bend = blocked ? 110 : 0;
  return { x: mid.x - (dy / length) * bend, y: mid.y + (dx / length) * bend };
}

function pointOn(curve, t) {
  const u = 1 - t;
  return {
    x: u * u * curve.a.x + 2 * u * t * curve.c.x + t * t * curve.b.x,
    y: u * u * curve.a.y + 2 * u * t * curve.c.y + t * t * curve.b.y,
  };
}

function updateLinks(links) {
  const ground = [];
  for (const link of links) {
    const g = linkGroups.get(link.id);
    if (!g) continue;
    g.classList.toggle('down', !link.up);
    g.setAttribute('data-up', link.up ? 'true' : 'false');
    if (link.up && g.dataset.ground) ground.push(g.dataset.ground);
    g.classList.toggle('busy', link.up && link.bytesPerSecond > 0);
    g.querySelector('text').textContent = link.up
      ? `${link.latencyMs} ms · ${link.bandwidthMbps} Mbit/s · ${rate(link.bytesPerSecond)}`
      : 'no link in this snapshot';
    if (link.stateBytesForward > 0) launchBundle(g, curves.get(link.id), false);
    if (link.stateBytesBackward > 0) launchBundle(g, curves.get(link.id), true);
  }
  if (links.length) $('t-ground').textContent = [...new Set(ground)].join(', ') || 'none';
}

// A bundle crossed this link in the last second: a dot travels along it, from the holder to the puller's side.
function launchBundle(group, curve, backwards) {
  const start = backwards ? curve.b : curve.a;
  const dot = el('circle', { class: 'bundle', r: 6, cx: start.x, cy: start.y }, group);
  bundles.push({ el: dot, curve, backwards, started: performance.now() });
  if (bundles.length === 1) requestAnimationFrame(animate);
}

function animate(now) {
  for (let i = bundles.length - 1; i >= 0; i--) {
    const b = bundles[i];
    const t = Math.min(1, (now - b.started) / BUNDLE_MS);
    const p = pointOn(b.curve, b.backwards ? 1 - t : t);
    b.el.setAttribute('cx', p.x);
    b.el.setAttribute('cy', p.y);
    if (t >= 1) { b.el.remove(); bundles.splice(i, 1); }
  }
  if (bundles.length) requestAnimationFrame(animate);
}

function updateTiles(s) {
  $('t-workflows').textContent = `${s.counters.completed} / ${s.counters.frames}`;
  $('t-rate').textContent = s.workflowsPerSecond;
  const last = [...s.series].reverse().find((p) => p.p50Ms != null);
  $('t-p50').textContent = ms(last?.p50Ms);
  $('t-local').textContent = percent(s.localReadShare);
  $('t-accuracy').textContent = percent(s.nodeAccuracy);
  $('t-next').textContent = percent(s.nextFunctionAccuracy);
  $('t-dead').textContent = s.counters.deadLetters;
  $('t-snapshot').textContent = s.snapshot ?? '–';
  const mode = $('mode');
  const planned = s.plannedModes ?? [];
  const place = planned.indexOf(s.mode);
  mode.textContent = s.mode ? `mode ${s.mode}${place >= 0 ? ` · ${place + 1} of ${planned.length}` : ''}` : 'mode –';
  mode.dataset.mode = s.mode ?? '';
  if (s.mode) mode.style.background = modeColour(s.mode);
}

// Bars: the current run's workflows per second. Lines: each mode's p50, from the start of its run, so the modes of a
// comparison lie on one time axis side by side (one colour per mode, as in the histogram).
function drawLatency(series, modeSeries, modes) {
  const svg = $('latency-chart');
  svg.replaceChildren();
  const points = series.slice(-120);
  const lines = modes.filter((m) => modeSeries[m]?.length).map((m) => [m, modeSeries[m].slice(-120)]);
  if (!lines.length && points.length) lines.push([null, points]);
  if (!points.length && !lines.length) return;
  const all = lines.flatMap(([, l]) => l);
  const max = Math.max(100, ...all.map((p) => p.p50Ms ?? 0));
  const maxRate = Math.max(1, ...points.map((p) => p.completed));
  // A short run fills the chart too: at least 30 s wide, at most the last 120 s.
  const w = 400 / Math.max(30, points.length, ...lines.map(([, l]) => l.length));
  points.forEach((p, i) => {
    const h = (40 * p.completed) / maxRate;
    el('rect', { class: 'chart-rate', x: i * w, y: 110 - h, width: Math.max(1, w - 0.5), height: h }, svg);
  });
  for (const [mode, l] of lines) {
    const line = l.map((p, i) => p.p50Ms == null ? null : `${i * w + w / 2},${105 - (95 * p.p50Ms) / max}`).filter(Boolean);
    if (!line.length) continue;
    const attrs = { class: 'chart-line', points: line.join(' ') };
    // A style, not the stroke attribute: the .chart-line rule would win over an attribute.
    if (mode) Object.assign(attrs, { style: `stroke: ${modeColour(mode)}`, 'data-mode': mode });
    el('polyline', attrs, svg);
  }
  el('text', { class: 'chart-axis', x: 2, y: 10 }, svg).textContent = `${max.toFixed(0)} ms`;
  el('text', { class: 'chart-axis', x: 2, y: 106 }, svg).textContent = `bars: workflows/s (max ${maxRate})`;
  $('latency-legend').innerHTML = lines.filter(([m]) => m).map(([m]) => `<i style="background:${modeColour(m)}"></i>${m}`).join(' ')
    + ' · x: seconds since the mode\'s run started';
}

function drawHistogram(bounds, histograms) {
  const svg = $('histogram');
  svg.replaceChildren();
  const modes = Object.keys(histograms);
  modes.sort((a, b) => (modeOrder.includes(a) ? modeOrder.indexOf(a) : 99) - (modeOrder.includes(b) ? modeOrder.indexOf(b) : 99));
  const bins = bounds.length + 1;
  const max = Math.max(1, ...modes.flatMap((m) => histograms[m]));
  const slot = 400 / bins, bar = (slot - 4) / Math.max(1, modes.length);
  modes.forEach((mode, m) => histograms[mode].forEach((count, i) => {
    const h = (100 * count) / max;
    el('rect', { x: i * slot + 2 + m * bar, y: 105 - h, width: bar, height: h, fill: modeColour(mode), 'data-mode': mode }, svg)
      .appendChild(el('title')).textContent = `${mode}: ${count}`;
  }));
  bounds.forEach((b, i) => { el('text', { class: 'chart-axis', x: (i + 1) * slot - 8, y: 117 }, svg).textContent = b; });
  $('histogram-legend').innerHTML = modes.map((m) => `<i style="background:${modeColour(m)}" data-mode="${m}"></i>${m}`).join(' ')
    + ' · bins: upper bound, ms';
}

function updateDeadLetters(deadLetters) {
  const list = $('dead-letters');
  if (!deadLetters.length) return;
  list.replaceChildren(...deadLetters.slice().reverse().map((d) => {
    const li = document.createElement('li');
    li.innerHTML = '<b></b> <span></span><br><small></small>';
    li.querySelector('b').textContent = d.type;
    li.querySelector('span').textContent = d.workflowId ?? '';
    li.querySelector('small').textContent = d.reason;
    return li;
  }));
}

function updateWorkflows(workflows) {
  const list = $('workflows');
  for (const w of workflows.slice().reverse()) {
    let li = workflowItems.get(w.id);
    if (!li) {
      li = document.createElement('li');
      li.dataset.workflow = w.id;
      li.innerHTML = '<span class="what"></span><span class="outcome"></span><span class="path"></span>';
      li.addEventListener('click', () => showTrace(w.id));
      list.prepend(li);
      workflowItems.set(w.id, li);
    }
    li.querySelector('.what').textContent = `${w.camera ?? '?'} #${w.seq ?? '?'}`;
    const outcome = li.querySelector('.outcome');
    outcome.textContent = w.state === 'completed' ? ms(w.latencyMs) : w.state;
    outcome.className = `outcome state-${w.state}`;
    li.querySelector('.path').textContent = w.path.join(' → ') || '…';
  }
  // Bounded like the server's lists: the oldest entries leave the page.
  while (list.children.length > 60) {
    const last = list.lastElementChild;
    workflowItems.delete(last.dataset.workflow);
    last.remove();
  }
}

async function showTrace(id) {
  selectedWorkflow = id;
  for (const li of workflowItems.values()) li.classList.toggle('selected', li.dataset.workflow === id);
  $('trace-title').textContent = id;
  const box = $('waterfall');
  const response = await fetch(`api/traces/${encodeURIComponent(id)}`);
  if (selectedWorkflow !== id) return;
  if (!response.ok) { box.innerHTML = '<p class="note">No trace kept for this workflow.</p>'; return; }
  drawWaterfall(await response.json());
}

// Spans as bars on one time axis from the trace's start; children right under their parent.
function drawWaterfall(trace) {
  const box = $('waterfall');
  const start = Math.min(...trace.spans.map((s) => Date.parse(s.start)));
  const spans = trace.spans.map((s) => ({ ...s, offset: Date.parse(s.start) - start }));
  const total = Math.max(1, ...spans.map((s) => s.offset + s.durationMs));
  const children = new Map();
  for (const s of spans) (children.get(s.parentSpanId ?? null) ?? children.set(s.parentSpanId ?? null, []).get(s.parentSpanId ?? null)).push(s);
  const ids = new Set(spans.map((s) => s.spanId));
  const roots = spans.filter((s) => !s.parentSpanId || !ids.has(s.parentSpanId));
  const rows = [];
  const walk = (s, depth) => {
    rows.push([s, depth]);
    (children.get(s.spanId) ?? []).sort((a, b) => a.offset - b.offset).forEach((c) => walk(c, depth + 1));
  };
  roots.sort((a, b) => a.offset - b.offset).forEach((r) => walk(r, 0));
  box.replaceChildren(...rows.map(([s, depth]) => {
    const row = document.createElement('div');
    row.className = 'wf-row';
    const name = document.createElement('span');
    name.className = 'wf-name';
    name.style.paddingLeft = `${depth * 10}px`;
    name.textContent = s.node ? `${s.name} @${s.node}` : s.name;
    name.title = Object.entries(s.attributes ?? {}).map(([k, v]) => `${k}=${v}`).join('\n');
    const track = document.createElement('div');
    track.className = 'wf-track';
    const bar = document.createElement('div');
    bar.className = `span-bar depth-${Math.min(depth, 2)}`;
    bar.dataset.spanId = s.spanId;
    bar.style.left = `${(100 * Math.max(0, s.offset)) / total}%`;
    bar.style.width = `${(100 * s.durationMs) / total}%`;
    bar.title = name.title;
    track.appendChild(bar);
    const took = document.createElement('span');
    took.className = 'wf-ms';
    took.textContent = ms(s.durationMs);
    row.append(name, track, took);
    return row;
  }));
}

function onSnapshot(s) {
  if (!s.counters) return;
  for (const mode of s.modes ?? []) modeColour(mode);
  followMode(s.mode);
  updateTiles(s);
  updateLinks(s.links);
  drawLatency(s.series, s.modeSeries ?? {}, s.modes ?? []);
  drawHistogram(s.histogramBoundsMs, s.histograms);
  updateDeadLetters(s.deadLetters);
  updateWorkflows(s.workflows);
}

function connect() {
  const events = new EventSource('api/events');
  events.onopen = () => { $('connection').textContent = 'live'; $('connection').classList.add('live'); };
  events.onerror = () => { $('connection').textContent = 'reconnecting'; $('connection').classList.remove('live'); };
  events.onmessage = (message) => onSnapshot(JSON.parse(message.data));
}

loadTopology().then(connect);
