import { describe, expect, it } from 'vitest';
import { topOfProfile } from '../../refinement/bench/profileTop';

const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0 });

describe('refinement/bench/profileTop', () => {
  it('ranks places by self samples over all profiles, leaves idle samples out and gives shares of the busy ones', () => {
    const root = '/repo';
    const main = {
      nodes: [
        { id: 1, callFrame: frame('(idle)', '') },
        { id: 2, callFrame: frame('', 'file:///repo/refinement/diff.ts') },
        { id: 3, callFrame: frame('(garbage collector)', '') },
        { id: 4, callFrame: frame('other', 'file:///repo/spec/model/heap.ts') },
      ],
      samples: [1, 1, 1, 2, 2, 2, 3, 4],
    };
    const loader = { nodes: [{ id: 1, callFrame: frame('', 'file:///repo/spec/model/heap.ts') }], samples: [1, 1] };
    const { busy, entries } = topOfProfile([main, loader], 10, root);
    expect(busy).toBe(7);
    expect(entries.map((e) => [e.where, e.samples])).toEqual([
      ['refinement/diff.ts', 3],
      ['spec/model/heap.ts', 3],
      ['(garbage collector)', 1],
    ]);
    expect(entries[0]?.share).toBeCloseTo(3 / 7, 10);
    expect(topOfProfile([main], 1, root).entries).toHaveLength(1);
  });
});
