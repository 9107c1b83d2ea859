/**
 * A spec state as pictures, in the names of ./names.ts: the capability
 * derivation tree, who holds which cap (each thread's CSpace and what its
 * caps name, other threads among them), and the threads with their states
 * and the queues they wait in. Plain node and edge lists, for the HTML
 * report to lay out with a graph library.
 */
import { SLOT_BITS, TCB_SLOT_COUNT } from '../../spec/api';
import type { KernelState } from '../../spec/model/state';
import { capObjectBase } from '../../spec/model/capability';
import type { Cap, PPtr, SlotPtr } from '../../spec/model/structures';
import type { Names } from './names';

export interface GraphNode {
  readonly id: string;
  readonly label: string;
  /** What it is, for its look: thread, cnode, endpoint, notification, slot, queue, other. */
  readonly kind: string;
  /** Extra marks: `current` (the running thread), `original` (an original cap), a thread state's tag. */
  readonly marks?: readonly string[];
}
export interface GraphEdge {
  readonly source: string;
  readonly target: string;
  readonly label?: string;
}
export interface Graph {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

const byAddress = <A>(xs: Iterable<readonly [number, A]>): Array<readonly [number, A]> => [...xs].sort((a, b) => a[0] - b[0]);

/** The capability derivation tree: a node per slot in it (its name and cap), an edge from each parent to its children. */
export const cdtGraph = (names: Names, s: KernelState): Graph => {
  const slots = new Set<SlotPtr>();
  const edges: GraphEdge[] = [];
  for (const [parent, children] of byAddress(s.cdt.children))
    for (const c of children) {
      slots.add(parent).add(c);
      edges.push({ source: `slot:${parent}`, target: `slot:${c}` });
    }
  const nodes = [...slots]
    .sort((a, b) => a - b)
    .map((slot): GraphNode => {
      const cap = s.caps.get(slot);
      return {
        id: `slot:${slot}`,
        label: `${names.slot(s, slot)}\n${cap === undefined ? '(empty)' : names.cap(cap)}`,
        kind: 'slot',
        ...(s.cdt.original.has(slot) ? { marks: ['original'] } : {}),
      };
    });
  return { nodes, edges };
};

/** How the pictures colour a cap's object. */
const KIND_OF_CAP: Readonly<Partial<Record<Cap['_tag'], string>>> = {
  EndpointCap: 'endpoint',
  NotificationCap: 'notification',
  CNodeCap: 'cnode',
  ThreadCap: 'thread',
  ReplyCap: 'thread',
};

/** The node a cap points at: its object by name (a reply cap's, its thread), an untyped region, or the cap's kind for caps that name no object. */
const capTarget = (names: Names, c: Cap): { id: string; label: string; kind: string } => {
  if (c._tag === 'UntypedCap') return { id: `untyped-region:${c.ptr}`, label: `untyped ${names.object(c.ptr)}\n2^${c.blockSize} bytes`, kind: 'other' };
  const p = c._tag === 'ReplyCap' ? c.tcb : capObjectBase(c);
  if (p === 0) return { id: `cap:${c._tag}`, label: c._tag.replace(/Cap$/, ''), kind: 'other' };
  return { id: `object:${p}`, label: names.object(p), kind: KIND_OF_CAP[c._tag] ?? 'other' };
};

/** How an edge names a cap: its kind, badge and rights, short. */
const capEdgeLabel = (where: string, c: Cap): string => {
  const badge = 'badge' in c && c.badge !== 0 ? ` badge ${c.badge}` : '';
  return `${where} ${c._tag.replace(/Cap$/, '')}${badge}`;
};

/**
 * Who holds which cap: each thread to its CSpace root and to the caps in its
 * own TCB slots; each CNode to what every cap in it names (threads, other
 * CNodes, endpoints...), its untyped caps counted in one node. A thread's
 * authority is what it reaches.
 */
export const holdingsGraph = (names: Names, s: KernelState): Graph => {
  const nodes = new Map<string, GraphNode>();
  const edges: GraphEdge[] = [];
  const node = (n: GraphNode): string => {
    if (!nodes.has(n.id)) nodes.set(n.id, n);
    return n.id;
  };
  const objects = byAddress(s.objects);
  for (const [p, o] of objects) {
    if (o._tag === 'TCB') {
      const from = node({ id: `object:${p}`, label: names.object(p), kind: 'thread', ...(p === s.curThread ? { marks: ['current'] } : {}) });
      for (let i = 0; i < TCB_SLOT_COUNT; i++) {
        const slot = p + i * 2 ** SLOT_BITS;
        const cap = s.caps.get(slot);
        if (cap === undefined || cap._tag === 'NullCap') continue;
        const where = names.slot(s, slot).slice(names.object(p).length + 1);
        edges.push({ source: from, target: node(capTarget(names, cap)), label: i === 0 ? 'cspace' : i === 1 ? 'vspace' : capEdgeLabel(where, cap) });
      }
    }
    if (o._tag === 'CNode') {
      const from = node({ id: `object:${p}`, label: names.object(p), kind: 'cnode' });
      const size = 2 ** (o.radix + SLOT_BITS);
      // Untyped caps are memory, not objects: one node per CNode stands for all it holds.
      let untyped = 0;
      for (const [slot, cap] of byAddress([...s.caps].filter(([slot]) => slot >= p && slot < p + size))) {
        if (cap._tag === 'NullCap') continue;
        if (cap._tag === 'UntypedCap') untyped++;
        else edges.push({ source: from, target: node(capTarget(names, cap)), label: capEdgeLabel(`[${(slot - p) / 2 ** SLOT_BITS}]`, cap) });
      }
      if (untyped > 0) edges.push({ source: from, target: node({ id: `untyped:${p}`, label: `${untyped} untyped ${untyped === 1 ? 'cap' : 'caps'}`, kind: 'other' }) });
    }
  }
  return { nodes: [...nodes.values()], edges };
};

/**
 * A node for every edge end that has none: a broken state (the very kind an
 * invariant's counterexample shows) may queue a thread that is not there.
 */
const withMissing = (names: Names, nodes: GraphNode[], edges: readonly GraphEdge[]): Graph => {
  const ids = new Set(nodes.map((n) => n.id));
  for (const e of edges)
    for (const id of [e.source, e.target])
      if (!ids.has(id)) {
        ids.add(id);
        const p = Number(id.slice(id.indexOf(':') + 1));
        nodes.push({ id, label: `${names.object(p)}\n(no such object)`, kind: 'other', marks: ['missing'] });
      }
  return { nodes, edges };
};

/** The threads with their states, the ready queues in order, and who waits on which endpoint or notification. */
export const schedulingGraph = (names: Names, s: KernelState): Graph => {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const id = (p: PPtr): string => `object:${p}`;
  for (const [p, o] of byAddress(s.objects)) {
    if (o._tag === 'TCB')
      nodes.push({
        id: id(p),
        label: `${names.object(p)}\n${names.threadState(o.state)}\nprio ${o.priority}, domain ${o.domain}`,
        kind: 'thread',
        marks: [o.state._tag, ...(p === s.curThread ? ['current'] : [])],
      });
    if (o._tag === 'Endpoint') {
      nodes.push({ id: id(p), label: `${names.object(p)}\n${o.state._tag}`, kind: 'endpoint' });
      if (o.state._tag !== 'IdleEP') o.state.queue.forEach((t, i) => edges.push({ source: id(p), target: id(t), label: `${i + 1}` }));
    }
    if (o._tag === 'Notification') {
      nodes.push({ id: id(p), label: `${names.object(p)}\n${o.state._tag}`, kind: 'notification' });
      if (o.state._tag === 'WaitingNtfn') o.state.queue.forEach((t, i) => edges.push({ source: id(p), target: id(t), label: `${i + 1}` }));
      if (o.boundTCB !== null) edges.push({ source: id(p), target: id(o.boundTCB), label: 'bound' });
    }
  }
  for (const [i, q] of byAddress(s.readyQueues)) {
    if (q.length === 0) continue;
    const qid = `ready:${i}`;
    nodes.push({ id: qid, label: `ready queue\ndomain ${Math.floor(i / 256)}, prio ${i % 256}`, kind: 'queue' });
    q.forEach((t, k) => edges.push({ source: qid, target: id(t), label: `${k + 1}` }));
  }
  return withMissing(names, nodes, edges);
};
