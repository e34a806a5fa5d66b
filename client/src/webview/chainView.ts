// The chain view's page script (runs in the webview, bundled to dist/chainView.js): lays the chain
// out with ELK's layered algorithm (data flow left to right, ports in order), draws it as SVG with
// the elements coloured by the plan, marks pairs of elements with disjoint keys, and draws per-queue
// load bars when the server simulated a trace. Colours come from the theme's CSS variables.
import ELK, { type ElkExtendedEdge, type ElkNode, type ElkPort } from 'elkjs/lib/elk.bundled.js';
import type { ChainGraphData, ChainGraphResult, ChainNodeData, FromWebview, ToWebview } from '../chainViewProtocol';

interface VsCodeApi {
  postMessage(message: FromWebview): void;
  getState(): { focus?: string } | undefined;
  setState(state: { focus?: string }): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const elk = new ELK();
const SVG_NS = 'http://www.w3.org/2000/svg';
const LINE = 16;
const PAD_X = 10;
const PAD_Y = 7;
const PORT = 6;
/** Chains with more elements get one layout, not a search for the best fitting one. */
const LARGE_CHAIN = 120;
/** Most conflict lines drawn (every pair of disjoint keys in a long chain would hide the graph). */
const MAX_CONFLICTS_DRAWN = 60;
/** Room under the laid-out graph for the arcs that mark conflicts. */
const CONFLICT_ROOM = 44;

const STATUS_LABEL: Record<ChainNodeData['status'], string> = {
  input: 'input device',
  'shared-nothing': 'shared-nothing',
  shared: 'shared',
  stateless: 'stateless',
  unknown: 'unknown',
};

const app = document.getElementById('app')!;
let focus: string | undefined = vscode.getState()?.focus;
/** Drawings are asynchronous (ELK): a newer message cancels an older drawing. */
let generation = 0;

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  const m = event.data;
  if (m.type === 'error') {
    generation++;
    showStatus(`FlowMage could not get the chain: ${m.message}`);
  } else if (m.type === 'graph') {
    if (m.focus) focus = m.focus;
    void draw(m.document, m.result);
  }
});
// The layout fits the panel's width: redraw the last graph when the panel is resized.
let last: { documentName: string; result: ChainGraphResult } | undefined;
let resizeTimer: ReturnType<typeof setTimeout> | undefined;
let drawnWidth = 0;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    if (last && Math.abs(document.body.clientWidth - drawnWidth) > 40) void draw(last.documentName, last.result);
  }, 200);
});
vscode.postMessage({ type: 'ready' });

function showStatus(text: string): void {
  app.replaceChildren(el('p', { class: 'status' }, text));
}

async function draw(documentName: string, result: ChainGraphResult): Promise<void> {
  const mine = ++generation;
  last = { documentName, result };
  drawnWidth = document.body.clientWidth;
  const chain = result.chains.find((c) => c.input === focus) ?? result.chains[0];
  if (!chain) {
    showStatus(result.message ?? `No chain in ${documentName}.`);
    vscode.postMessage({ type: 'rendered', input: '', nodes: [], conflicts: 0, loadBars: 0 });
    return;
  }
  focus = chain.input;
  vscode.setState({ focus });
  let svg: SVGSVGElement;
  try {
    svg = await graphSvg(chain);
  } catch (err) {
    if (mine === generation) showStatus(`The layout failed: ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  if (mine !== generation) return;
  const parts: Node[] = [header(documentName, result, chain), legend()];
  if (!result.indexReady) parts.push(el('p', { class: 'status' }, 'Indexing element sources: classes not indexed yet show as unknown.'));
  if (result.message) parts.push(el('p', { class: 'status' }, result.message));
  if (chain.conflicts.length > MAX_CONFLICTS_DRAWN) {
    parts.push(el('p', { class: 'status' }, `${chain.conflicts.length} pairs of elements have disjoint keys; the first ${MAX_CONFLICTS_DRAWN} are drawn.`));
  }
  parts.push(el('div', { class: 'graph' }, svg));
  const loads = loadSection(result, chain);
  parts.push(loads.section);
  app.replaceChildren(...parts);
  vscode.postMessage({
    type: 'rendered',
    input: chain.input,
    nodes: [...svg.querySelectorAll<SVGGElement>('g.node')].map((g) => g.dataset.id ?? ''),
    conflicts: svg.querySelectorAll('.conflict').length,
    loadBars: loads.bars,
  });
}

function header(documentName: string, result: ChainGraphResult, chain: ChainGraphData): HTMLElement {
  const h = el('div', { class: 'header' });
  h.append(el('h1', {}, `${documentName}: chain from ${chain.input}`));
  if (result.chains.length > 1) {
    const select = el('select', { 'aria-label': 'Chain' }) as HTMLSelectElement;
    for (const c of result.chains) {
      const option = el('option', { value: c.input }, `from ${c.input}`) as HTMLOptionElement;
      option.selected = c.input === chain.input;
      select.append(option);
    }
    select.addEventListener('change', () => {
      focus = select.value;
      vscode.postMessage({ type: 'focus', input: focus });
      void draw(documentName, result);
    });
    h.append(select);
  }
  const same = chain.currentRss.join(' ') === chain.plannedRss.join(' ');
  h.append(
    el(
      'p',
      { class: 'summary' },
      same
        ? `RSS ${fields(chain.currentRss)} is already the plan's (cost ${chain.plannedCost}).`
        : `RSS as configured: ${fields(chain.currentRss)} (cost ${chain.currentCost}) → planned: ${fields(chain.plannedRss)} (cost ${chain.plannedCost}). Colours show the plan.`,
    ),
  );
  return h;
}

function legend(): HTMLElement {
  const l = el('div', { class: 'legend' });
  for (const s of ['shared-nothing', 'shared', 'stateless', 'unknown', 'input'] as const) {
    l.append(el('span', { class: 'legend-item' }, el('span', { class: `swatch status-${s}` }), STATUS_LABEL[s]));
  }
  l.append(el('span', { class: 'legend-item' }, el('span', { class: 'swatch conflict-swatch' }), 'disjoint keys (one must share)'));
  return l;
}

function fields(f: string[]): string {
  return f.length === 5 ? '5-tuple' : f.join(' ');
}

// ---- layout and SVG ----

let measureContext: CanvasRenderingContext2D | null | undefined;
function textWidth(text: string, bold = false): number {
  measureContext ??= document.createElement('canvas').getContext('2d');
  if (!measureContext) return text.length * 7.5;
  const style = getComputedStyle(document.body);
  measureContext.font = `${bold ? '600 ' : ''}${style.fontSize || '13px'} ${style.fontFamily || 'sans-serif'}`;
  return measureContext.measureText(text).width;
}

/** Name, class, then the key and the plan's status (for the input device: the RSS fields, now → planned). */
function nodeLines(n: ChainNodeData, chain: ChainGraphData): string[] {
  if (n.status === 'input') {
    const same = chain.currentRss.join(' ') === chain.plannedRss.join(' ');
    return [n.id, n.className, same ? `RSS ${fields(chain.plannedRss)}` : `RSS ${fields(chain.currentRss)} → ${fields(chain.plannedRss)}`];
  }
  return [n.id, n.className, n.flowKey.length ? `key ${fields(n.flowKey)} · ${n.status}` : n.status];
}

async function graphSvg(chain: ChainGraphData): Promise<SVGSVGElement> {
  const inPorts = new Map<string, Set<number>>();
  const outPorts = new Map<string, Set<number>>();
  const add = (m: Map<string, Set<number>>, id: string, port: number) => (m.get(id) ?? m.set(id, new Set()).get(id)!).add(port);
  for (const e of chain.edges) {
    add(outPorts, e.from, e.fromPort);
    add(inPorts, e.to, e.toPort);
  }
  const portId = (node: string, side: 'in' | 'out', port: number) => `${node}\u0000${side}${port}`;
  const children: ElkNode[] = chain.nodes.map((n) => {
    const lines = nodeLines(n, chain);
    const width = Math.ceil(Math.max(textWidth(lines[0], true), textWidth(lines[1]), textWidth(lines[2])) + 2 * PAD_X);
    const ports: ElkPort[] = [
      ...[...(inPorts.get(n.id) ?? [])]
        .sort((a, b) => a - b)
        .map((p, i) => ({ id: portId(n.id, 'in', p), width: PORT, height: PORT, layoutOptions: { 'elk.port.side': 'WEST', 'elk.port.index': String(i) } })),
      // ELK orders EAST ports clockwise (top to bottom) by index.
      ...[...(outPorts.get(n.id) ?? [])]
        .sort((a, b) => a - b)
        .map((p, i) => ({ id: portId(n.id, 'out', p), width: PORT, height: PORT, layoutOptions: { 'elk.port.side': 'EAST', 'elk.port.index': String(i) } })),
    ];
    return { id: n.id, width: Math.max(width, 90), height: lines.length * LINE + 2 * PAD_Y, ports, layoutOptions: { 'elk.portConstraints': 'FIXED_ORDER' } };
  });
  const edges: ElkExtendedEdge[] = chain.edges.map((e, i) => ({ id: `e${i}`, sources: [portId(e.from, 'out', e.fromPort)], targets: [portId(e.to, 'in', e.toPort)] }));
  const available = Math.max(320, document.body.clientWidth - 32);
  const layout = await fittingLayout(children, edges, available);
  const { right, bottom } = extent(layout);

  const byId = new Map(chain.nodes.map((n) => [n.id, n]));
  const width = Math.ceil(right);
  let height = Math.ceil(bottom);
  const svg = svgEl('svg', { role: 'img', 'aria-label': `Chain from ${chain.input}` }) as SVGSVGElement;
  svg.append(markers());

  const edgeLayer = svgEl('g', { class: 'edges' });
  for (const e of layout.edges ?? []) {
    for (const s of e.sections ?? []) {
      const points = [s.startPoint, ...(s.bendPoints ?? []), s.endPoint];
      edgeLayer.append(svgEl('path', { class: 'edge', d: points.map((p, i) => `${i ? 'L' : 'M'}${p.x},${p.y}`).join(' '), 'marker-end': 'url(#arrow)' }));
    }
  }
  svg.append(edgeLayer);

  const boxes = new Map<string, { x: number; y: number; w: number; h: number }>();
  const nodeLayer = svgEl('g', { class: 'nodes' });
  for (const c of layout.children ?? []) {
    const n = byId.get(c.id);
    if (!n) continue;
    const box = { x: c.x ?? 0, y: c.y ?? 0, w: c.width ?? 0, h: c.height ?? 0 };
    boxes.set(n.id, box);
    nodeLayer.append(nodeSvg(n, nodeLines(n, chain), box, c.ports ?? [], (id) => id.slice(id.indexOf('\u0000') + 1)));
  }
  svg.append(nodeLayer);

  const conflictLayer = svgEl('g', { class: 'conflicts' });
  for (const c of chain.conflicts.slice(0, MAX_CONFLICTS_DRAWN)) {
    const a = boxes.get(c.a);
    const b = boxes.get(c.b);
    if (!a || !b) continue;
    const [ax, bx] = [a.x + a.w / 2, b.x + b.w / 2];
    let d: string;
    let labelAt: { x: number; y: number };
    if (Math.abs(a.y - b.y) < Math.min(a.h, b.h)) {
      // Same row: an arc under both.
      const [ay, by] = [a.y + a.h, b.y + b.h];
      const dip = Math.max(ay, by) + CONFLICT_ROOM - 12;
      d = `M${ax},${ay} C${ax},${dip} ${bx},${dip} ${bx},${by}`;
      labelAt = { x: (ax + bx) / 2, y: dip - 2 };
      height = Math.max(height, Math.ceil(dip + 4));
    } else {
      // Rows apart (a wrapped chain): from the upper box's bottom to the lower box's top.
      const [up, upX, low, lowX] = a.y < b.y ? [a, ax, b, bx] : [b, bx, a, ax];
      const [y1, y2] = [up.y + up.h, low.y];
      d = `M${upX},${y1} C${upX},${(y1 + y2) / 2} ${lowX},${(y1 + y2) / 2} ${lowX},${y2}`;
      labelAt = { x: (upX + lowX) / 2 + 4, y: (y1 + y2) / 2 - 4 };
    }
    const path = svgEl('path', { class: 'conflict', d });
    path.append(svgEl('title', {}, c.message + (c.shared.length ? ` (the plan shares ${c.shared.join(', ')})` : '')));
    const label = svgEl('text', { class: 'conflict-label', x: String(labelAt.x), y: String(labelAt.y), 'text-anchor': 'middle' }, 'disjoint keys');
    conflictLayer.append(path, label);
  }
  svg.append(conflictLayer);
  for (const [k, v] of Object.entries({ width: String(width), height: String(height), viewBox: `0 0 ${width} ${height}` })) svg.setAttribute(k, v);
  return svg;
}

const BASE_OPTIONS = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.spacing.nodeNode': '28',
  'elk.layered.spacing.nodeNodeBetweenLayers': '36',
  'elk.padding': '[top=12,left=12,bottom=12,right=12]',
};

/**
 * One row if it fits the panel; else ELK wraps the chain into rows, asked for narrower and narrower
 * drawings (its aspect ratio is a target, not a bound) until one fits or the tries run out.
 */
async function fittingLayout(children: ElkNode[], edges: ElkExtendedEdge[], available: number): Promise<ElkNode> {
  const run = (wrap?: number) =>
    elk.layout({
      id: 'root',
      layoutOptions: { ...BASE_OPTIONS, ...(wrap ? { 'elk.layered.wrapping.strategy': 'MULTI_EDGE', 'elk.aspectRatio': String(wrap) } : {}) },
      children: structuredClone(children),
      edges: structuredClone(edges),
    });
  // A large chain is laid out once (each layout of hundreds of nodes takes a noticeable time).
  if (children.length > LARGE_CHAIN) return run(available / 300);
  let best = await run();
  if (extent(best).right <= available) return best;
  let ratio = available / 120;
  for (let i = 0; i < 8; i++, ratio *= 0.75) {
    const wrapped = await run(ratio);
    if (extent(wrapped).right < extent(best).right) best = wrapped;
    if (extent(best).right <= available) break;
  }
  return best;
}

/** The drawing's extent from what was placed (with wrapping, ELK's own width can fall short of it). */
function extent(layout: ElkNode): { right: number; bottom: number } {
  let right = layout.width ?? 0;
  let bottom = layout.height ?? 0;
  for (const c of layout.children ?? []) {
    right = Math.max(right, (c.x ?? 0) + (c.width ?? 0) + 12);
    bottom = Math.max(bottom, (c.y ?? 0) + (c.height ?? 0) + 12);
  }
  for (const e of layout.edges ?? []) {
    for (const p of (e.sections ?? []).flatMap((s) => [s.startPoint, s.endPoint, ...(s.bendPoints ?? [])])) {
      right = Math.max(right, p.x + 12);
      bottom = Math.max(bottom, p.y + 12);
    }
  }
  return { right, bottom };
}

function nodeSvg(n: ChainNodeData, lines: string[], box: { x: number; y: number; w: number; h: number }, ports: ElkPort[], portName: (id: string) => string): SVGGElement {
  const g = svgEl('g', { class: `node status-${n.status}`, tabindex: '0', role: 'button', transform: `translate(${box.x},${box.y})` }) as SVGGElement;
  g.dataset.id = n.id;
  const current = n.currentStatus !== n.status ? `; as configured: ${STATUS_LABEL[n.currentStatus]}` : '';
  g.append(
    svgEl(
      'title',
      {},
      `${n.id} (${n.className}): ${STATUS_LABEL[n.status]}${n.flowKey.length ? `, key ${n.flowKey.join(' ')}` : ''}${current}${n.reason ? `\n${n.reason}` : ''}\nClick to show it in the editor.`,
    ),
  );
  g.append(svgEl('rect', { class: 'box', width: String(box.w), height: String(box.h), rx: '4', ry: '4' }));
  lines.forEach((line, i) => {
    g.append(svgEl('text', { class: i === 0 ? 'name' : i === 1 ? 'class' : 'key', x: String(PAD_X), y: String(PAD_Y + LINE * (i + 1) - 4) }, line));
  });
  // Port numbers only where they say something: a side with a port other than 0.
  const named = ports.map((p) => ({ p, name: portName(p.id) }));
  for (const side of ['in', 'out']) {
    const onSide = named.filter((x) => x.name.startsWith(side));
    if (!onSide.some((x) => x.name !== `${side}0`)) continue;
    for (const { p, name } of onSide) {
      const x = (p.x ?? 0) + (side === 'in' ? PORT + 2 : -2);
      g.append(svgEl('text', { class: 'port', x: String(x), y: String((p.y ?? 0) + PORT), 'text-anchor': side === 'in' ? 'start' : 'end' }, name.slice(side.length)));
    }
  }
  const reveal = () => vscode.postMessage({ type: 'reveal', range: n.range });
  g.addEventListener('click', reveal);
  g.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      reveal();
    }
  });
  return g;
}

function markers(): SVGDefsElement {
  const defs = svgEl('defs', {}) as SVGDefsElement;
  const marker = svgEl('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: '10', refY: '5', markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse' });
  marker.append(svgEl('path', { class: 'arrow', d: 'M0,0 L10,5 L0,10 z' }));
  defs.append(marker);
  return defs;
}

// ---- per-queue loads ----

function loadSection(result: ChainGraphResult, chain: ChainGraphData): { section: HTMLElement; bars: number } {
  const section = el('section', { class: 'loads' });
  section.append(el('h2', {}, 'Per-queue load'));
  if (result.trace?.error) {
    section.append(el('p', { class: 'status' }, `The trace ${result.trace.file} cannot be used: ${result.trace.error}`));
    return { section, bars: 0 };
  }
  const loads = chain.loads;
  if (!loads) {
    section.append(
      el('p', { class: 'status' }, 'No trace: set a pcap or pcapng capture (flowmage.solver.trace) to see how the current and the planned RSS spread packets over the queues.'),
    );
    return { section, bars: 0 };
  }
  section.append(
    el(
      'p',
      { class: 'summary' },
      `${result.trace?.file ?? 'trace'}: ${loads.packets} packets in ${loads.flows} flows over ${loads.queues} queues.${loads.warning ? ` ${loads.warning}` : ''}`,
    ),
  );
  const max = Math.max(1, ...loads.current.packets, ...loads.planned.packets);
  let bars = 0;
  for (const [title, load] of [
    ['Current', loads.current],
    ['Planned', loads.planned],
  ] as const) {
    const chart = el('div', { class: 'chart' });
    chart.append(el('h3', {}, `${title} RSS (${fields(load.rss)}): imbalance ${load.imbalance.toFixed(2)}`));
    const row = el('div', { class: 'bars', role: 'list' });
    load.packets.forEach((p, q) => {
      const bar = el('div', { class: `bar ${title.toLowerCase()}`, role: 'listitem', title: `queue ${q}: ${p} packets` });
      // CSSOM, not a style attribute: the Content Security Policy allows it.
      bar.style.height = `${Math.max(1, Math.round((p / max) * 100))}%`;
      row.append(bar);
      bars++;
    });
    chart.append(row);
    section.append(chart);
  }
  return { section, bars };
}

// ---- DOM helpers ----

function el(tag: string, attrs: Record<string, string>, ...children: Array<Node | string>): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

function svgEl(tag: string, attrs: Record<string, string>, text?: string): SVGElement {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}
