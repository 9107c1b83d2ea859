import { describe, expect, it } from 'vitest';
import { Names } from '../../refinement/report/names';
import { cdtGraph, holdingsGraph, schedulingGraph } from '../../refinement/report/graphs';
import { CHECK_BOOT_CONFIG } from '../../refinement/check';
import { bootState } from '../../spec/kernel';
import { mapSet } from '../../spec/model/immutable';
import type { KernelState } from '../../spec/model/state';
import { generatedSpecStates } from '../helpers/traces';

/** Every edge of a graph ends at one of its nodes (Cytoscape throws otherwise, and the page shows nothing). */
const closed = (g: { nodes: ReadonlyArray<{ id: string }>; edges: ReadonlyArray<{ source: string; target: string }> }): string[] => {
  const ids = new Set(g.nodes.map((n) => n.id));
  return g.edges.flatMap((e) => [e.source, e.target]).filter((id) => !ids.has(id));
};

describe('refinement/report/graphs: pictures of a state', () => {
  it('every edge ends at a node, on every state of generated traces', () => {
    for (const run of generatedSpecStates(4, 4, 80)) {
      const names = new Names(run[0] as KernelState);
      run.forEach((s, i) => {
        names.observe(s, i);
        for (const g of [cdtGraph(names, s), holdingsGraph(names, s), schedulingGraph(names, s)]) expect(closed(g)).toEqual([]);
      });
    }
  });

  it('a broken state (a ready queue holding a thread that is not there) draws the missing thread, marked', () => {
    const boot = bootState(CHECK_BOOT_CONFIG);
    const broken: KernelState = { ...boot, readyQueues: mapSet(boot.readyQueues, 100, [0x1020_0000]) };
    const g = schedulingGraph(new Names(boot), broken);
    expect(closed(g)).toEqual([]);
    expect(g.nodes.find((n) => n.id === 'object:270532608')).toMatchObject({ label: '0x10200000\n(no such object)', marks: ['missing'] });
  });
});
