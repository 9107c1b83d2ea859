/**
 * One self-contained HTML page for a told run (`--html DIR` on check and
 * replay): the steps as the story tells them, and for any step (click it, or
 * use the arrow keys) the spec state after it, what it changed, and pictures
 * of that state laid out by Cytoscape.js: the capability derivation tree,
 * who holds which cap, the threads and the queues they are in. At the failing
 * step the sides are set apart as a table, the rows where they part marked.
 *
 * The page carries its data as JSON and the graph library inline: it opens
 * from a file, offline, with nothing else beside it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Graph, type GraphEdge, type GraphNode, cdtGraph, holdingsGraph, schedulingGraph } from './graphs';
import { stateLines, stepChanges, viewOfState } from './stateView';
import { type Story, partingRows, stepHeadline } from './story';

export interface HtmlReportInput {
  /** What the run is (its trace file, or the check that found it). */
  readonly title: string;
  /** One line: the verdict. */
  readonly verdict: string;
  readonly story: Story;
}

/** A graph as indices into the page's tables of nodes and edges. */
interface GraphRefs {
  readonly nodes: readonly number[];
  readonly edges: readonly number[];
}

/** What the page's script reads, per state: its lines and graphs as indices into tables shared by all states. */
interface StateData {
  readonly step: number;
  readonly lines: readonly number[];
  readonly changes: ReadonlyArray<{ readonly path: string; readonly before: string; readonly after: string }>;
  readonly graphs: { readonly cdt: GraphRefs; readonly holdings: GraphRefs; readonly scheduling: GraphRefs };
}

/**
 * Values kept once, each state pointing at them: successive states share
 * nearly all their lines, nodes and edges, so a long trace's page stays small.
 */
class Table<A> {
  readonly values: A[] = [];
  private readonly index = new Map<string, number>();
  ref(x: A): number {
    const key = typeof x === 'string' ? x : JSON.stringify(x);
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.values.length;
      this.values.push(x);
      this.index.set(key, i);
    }
    return i;
  }
}

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** JSON that cannot close the script element it sits in. */
const scriptJson = (x: unknown): string =>
  JSON.stringify(x)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

let library: string | undefined;
/** Cytoscape.js, inlined (read once). */
const cytoscapeSource = (): string => {
  library ??= readFileSync(createRequire(import.meta.url).resolve('cytoscape/dist/cytoscape.min.js'), 'utf8').replace(/<\/script/gi, '<\\/script');
  return library;
};

const statesOf = (story: Story) => {
  const changes = stepChanges(story.namesAt, story.states);
  const lines = new Table<string>();
  const nodes = new Table<GraphNode>();
  const edges = new Table<GraphEdge>();
  const refs = (g: Graph): GraphRefs => ({ nodes: g.nodes.map((n) => nodes.ref(n)), edges: g.edges.map((e) => edges.ref(e)) });
  const states = story.states.map((s, i): StateData => {
    const names = story.namesAt[i];
    if (names === undefined) throw new Error(`no names for state ${i}`);
    return {
      step: i,
      lines: stateLines(viewOfState(names, s)).map((l) => lines.ref(l)),
      changes: i === 0 ? [] : (changes[i - 1]?.changes ?? []),
      graphs: { cdt: refs(cdtGraph(names, s)), holdings: refs(holdingsGraph(names, s)), scheduling: refs(schedulingGraph(names, s)) },
    };
  });
  return { states, lines: lines.values, nodes: nodes.values, edges: edges.values };
};

const stepsHtml = (story: Story): string => {
  const failing = story.failure === undefined ? -1 : story.steps.length;
  const items = story.steps.map((s, i) => {
    const n = i + 1;
    const cls = n === failing ? 'step failing' : 'step';
    return [
      `<li class="${cls}" data-step="${n}" tabindex="0" id="step-${n}">`,
      `<div class="head"><span class="n">${n}.</span> ${escapeHtml(stepHeadline(s))}</div>`,
      s.message === undefined ? '' : `<div class="msg">${escapeHtml(s.message)}</div>`,
      `<div class="outcome">→ ${escapeHtml(s.outcome)}${s.next === undefined ? '' : `; <b>${escapeHtml(s.next)}</b> runs`}</div>`,
      '</li>',
    ].join('');
  });
  return [`<li class="step" data-step="0" tabindex="0" id="step-0"><div class="head"><span class="n">0.</span> the boot state</div></li>`, ...items].join('\n');
};

const sidesHtml = (story: Story): string => {
  if (story.sides.length === 0) return '';
  const parting = partingRows(story.sides);
  const head = `<tr><th></th>${story.sides.map((s) => `<th>${escapeHtml(s.side)}</th>`).join('')}<th class="mark"></th></tr>`;
  const rows = (story.sides[0]?.rows ?? []).map(
    ([label], r) =>
      `<tr class="${parting[r] === true ? 'parts' : ''}"><th>${escapeHtml(label)}</th>${story.sides.map((s) => `<td>${escapeHtml(s.rows[r]?.[1] ?? '')}</td>`).join('')}${parting[r] === true ? '<td class="mark">← they part</td>' : '<td></td>'}</tr>`,
  );
  return `<h3>After step ${story.steps.length}, side by side</h3><table class="sides">${head}${rows.join('')}</table>`;
};

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d2330; display: flex; flex-direction: column; height: 100vh; }
header { padding: 10px 16px; background: #1d2330; color: #fff; }
header h1 { font-size: 17px; margin: 0 0 4px; }
header .verdict { margin: 0; font-family: ui-monospace, monospace; }
header .verdict.failed { color: #ffb4a8; }
main { display: grid; grid-template-columns: minmax(320px, 38%) 1fr; flex: 1; min-height: 0; }
nav { overflow-y: auto; border-right: 1px solid #ccd; }
nav ol { list-style: none; margin: 0; padding: 0; }
.step { padding: 6px 10px; border-bottom: 1px solid #eef; cursor: pointer; font-family: ui-monospace, monospace; font-size: 12px; }
.step:hover { background: #f2f5ff; }
.step.selected { background: #dfe7ff; }
.step.failing { border-left: 4px solid #c0392b; }
.step .n { font-weight: bold; }
.step .msg { color: #445; padding-left: 2em; }
.step .outcome { color: #245; padding-left: 2em; }
#view { overflow-y: auto; padding: 8px 14px; }
.tabs button { font: inherit; padding: 4px 10px; margin-right: 4px; border: 1px solid #99a; background: #fff; border-radius: 4px; cursor: pointer; }
.tabs button.active { background: #1d2330; color: #fff; }
.graph { height: 440px; border: 1px solid #ccd; margin: 8px 0; display: none; }
.graph.active { display: block; }
pre { font-size: 12px; background: #f7f8fb; padding: 8px; overflow-x: auto; }
#failure { padding: 4px 14px 12px; background: #fff6f4; border-bottom: 1px solid #e6c9c3; max-height: 32vh; overflow-y: auto; flex: none; }
#failure pre { background: transparent; }
table.sides { border-collapse: collapse; font-family: ui-monospace, monospace; font-size: 12px; }
table.sides th, table.sides td { border: 1px solid #dcc; padding: 2px 8px; text-align: left; }
table.sides tr.parts td { background: #ffd9d2; }
td.mark, th.mark { color: #c0392b; border: none !important; background: none !important; }
ul#changes { font-family: ui-monospace, monospace; font-size: 12px; }
`;

/** The page's own script: show a step (list, graphs, state, changes) on a click, a key or the address's #step-N. */
const SCRIPT = String.raw`
(function () {
  const data = JSON.parse(document.getElementById('report-data').textContent);
  const byStep = new Map(data.states.map((s) => [s.step, s]));
  const items = Array.from(document.querySelectorAll('.step'));
  const COLORS = { thread: '#4a78c2', cnode: '#7a5ab8', endpoint: '#2f9a6a', notification: '#c28a2f', slot: '#58708f', queue: '#999', other: '#8a8f99' };
  const LAYOUTS = { cdt: { name: 'breadthfirst', directed: true, spacingFactor: 1.1 }, holdings: { name: 'cose', animate: false, randomize: false, nodeDimensionsIncludeLabels: true, idealEdgeLength: () => 110, nodeRepulsion: () => 20000 }, scheduling: { name: 'breadthfirst', directed: true } };
  const style = [
    { selector: 'node', style: { label: 'data(label)', 'text-wrap': 'wrap', 'font-size': 9, 'text-valign': 'center', color: '#fff', 'background-color': (n) => COLORS[n.data('kind')] || '#888', shape: 'round-rectangle', width: 'label', height: 'label', padding: '6px', 'text-max-width': '220px' } },
    { selector: 'node.BlockedOnReceive, node.BlockedOnSend, node.BlockedOnReply, node.BlockedOnNotification', style: { 'background-color': '#b5651d' } },
    { selector: 'node.Inactive, node.IdleThreadState', style: { 'background-color': '#8a8f99' } },
    { selector: 'node.missing', style: { 'background-color': '#c0392b' } },
    { selector: 'node.current', style: { 'border-width': 3, 'border-color': '#e4572e' } },
    { selector: 'node.original', style: { 'border-width': 2, 'border-color': '#222' } },
    { selector: 'edge', style: { label: 'data(label)', 'font-size': 8, 'curve-style': 'bezier', 'target-arrow-shape': 'triangle', width: 1.2, 'line-color': '#9aa', 'target-arrow-color': '#9aa', 'text-background-color': '#fff', 'text-background-opacity': 0.8 } },
  ];
  const graphs = {};
  let current = 0;
  let tab = 'scheduling';
  const elementsOf = (g) => [
    ...g.nodes.map((k) => data.nodes[k]).map((n) => ({ data: { id: n.id, label: n.label, kind: n.kind }, classes: (n.marks || []).join(' ') })),
    ...g.edges.map((k) => data.edges[k]).map((e, i) => ({ data: { id: 'e' + i, source: e.source, target: e.target, label: e.label || '' } })),
  ];
  const draw = () => {
    const state = byStep.get(current);
    const el = document.getElementById('g-' + tab);
    if (!state) {
      // The message replaces the canvases: the graph is made anew on the next step that has a state.
      if (graphs[tab]) { graphs[tab].destroy(); delete graphs[tab]; }
      el.textContent = 'no state after this step: the spec threw at it';
      return;
    }
    if (!graphs[tab]) el.textContent = '';
    if (!graphs[tab]) graphs[tab] = cytoscape({ container: el, style, wheelSensitivity: 0.3 });
    const cy = graphs[tab];
    cy.elements().remove();
    cy.add(elementsOf(state.graphs[tab]));
    cy.resize();
    cy.layout(LAYOUTS[tab]).run();
    cy.fit(undefined, 20);
  };
  const show = (n) => {
    if (!byStep.has(n) && !items.some((li) => Number(li.dataset.step) === n)) return false;
    current = n;
    for (const li of items) li.classList.toggle('selected', Number(li.dataset.step) === n);
    const selected = document.getElementById('step-' + n);
    if (selected) selected.scrollIntoView({ block: 'nearest' });
    const state = byStep.get(n);
    document.getElementById('state-title').textContent = n === 0 ? 'The boot state' : 'After step ' + n;
    document.getElementById('state-text').textContent = state ? state.lines.map((k) => data.lines[k]).join('\n') : 'no state after this step: the spec threw at it';
    const changes = document.getElementById('changes');
    changes.replaceChildren(...(state ? state.changes : []).map((c) => { const li = document.createElement('li'); li.textContent = c.path + ': ' + c.before + ' → ' + c.after; return li; }));
    if (state && state.changes.length === 0) changes.textContent = n === 0 ? '(the boot state)' : '(nothing)';
    draw();
    if (location.hash !== '#step-' + n) history.replaceState(null, '', '#step-' + n);
    return true;
  };
  const showTab = (name) => {
    tab = name;
    for (const b of document.querySelectorAll('.tabs button')) b.classList.toggle('active', b.dataset.tab === name);
    for (const g of document.querySelectorAll('.graph')) g.classList.toggle('active', g.id === 'g-' + name);
    draw();
  };
  for (const li of items) li.addEventListener('click', () => show(Number(li.dataset.step)));
  for (const b of document.querySelectorAll('.tabs button')) b.addEventListener('click', () => showTab(b.dataset.tab));
  document.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || e.key === 'j') { show(Math.min(current + 1, items.length - 1)); e.preventDefault(); }
    if (e.key === 'ArrowUp' || e.key === 'k') { show(Math.max(current - 1, 0)); e.preventDefault(); }
  });
  // For tests and for users' own scripts: which step is shown, and the graph on screen.
  const drawn = () => {
    const cy = graphs[tab];
    return cy ? { nodes: cy.nodes().map((n) => n.data('label')), edges: cy.edges().map((e) => [e.source().data('label'), e.target().data('label')]) } : null;
  };
  window.sel4Report = { show, showTab, current: () => current, graph: () => graphs[tab], drawn };
  const wanted = /^#step-(\d+)$/.exec(location.hash);
  // A step the page does not have (an address from another page) opens where it would have.
  if (!(wanted && show(Number(wanted[1])))) show(data.initialStep);
})();
`;

/** The page. */
export const htmlReport = (input: HtmlReportInput): string => {
  const { story } = input;
  const tables = statesOf(story);
  const failed = story.failure !== undefined;
  const data = { title: input.title, ...tables, initialStep: failed ? Math.max(0, Math.min(story.steps.length, tables.states.length - 1)) : 0 };
  const failure = failed ? `<section id="failure">${sidesHtml(story)}<pre>${escapeHtml(story.failureLines.join('\n'))}</pre></section>` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>sel4-spec: ${escapeHtml(input.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>sel4-spec: ${escapeHtml(input.title)}</h1><p class="verdict${failed ? ' failed' : ''}">${escapeHtml(input.verdict)}</p></header>
${failure}
<main>
<nav><ol id="steps">
${stepsHtml(story)}
</ol></nav>
<section id="view">
<h2 id="state-title"></h2>
<div class="tabs"><button data-tab="scheduling" class="active">Threads and queues</button><button data-tab="holdings">Who holds which cap</button><button data-tab="cdt">Derivation tree</button></div>
<div class="graph active" id="g-scheduling"></div><div class="graph" id="g-holdings"></div><div class="graph" id="g-cdt"></div>
<h3>What the step changed</h3><ul id="changes"></ul>
<h3>The spec state</h3><pre id="state-text"></pre>
</section>
</main>
<script type="application/json" id="report-data">${scriptJson(data)}</script>
<script>${cytoscapeSource()}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
};
