import { describe, expect, it } from 'vitest';
import { INVARIANTS, wellFormed } from '../../invariants/wellFormed';
import { ROOT_CNODE_PTR } from '../../spec/api';
import { mapSet } from '../../spec/model/immutable';
import type { KernelState } from '../../spec/model/state';
import { CNODE, FREE, ObjType, untypedSlot } from '../helpers/boot';
import { AllRights, CNode, Untyped } from '../../refinement/scenario';
import { rootSlotPtr, run } from '../helpers/scenario';

/** A state with an untyped that has an endpoint child and a copy of it. */
const populated = (): KernelState => run([Untyped.retype(untypedSlot(13), ObjType.Endpoint, 0, CNODE, 0, 0, FREE, 1), CNode.copy(FREE + 1, FREE, AllRights)]).state;

const only = (s: KernelState, name: string) => {
  const inv = INVARIANTS.find(([n]) => n === name);
  if (inv === undefined) throw new Error(name);
  return inv[1](s);
};

describe('invariants/wellFormed', () => {
  it('holds on the boot state and after a few operations', () => {
    expect(wellFormed(run([]).state)).toEqual([]);
    expect(wellFormed(populated())).toEqual([]);
  });

  it('objectsDoNotOverlap reports two objects sharing memory', () => {
    const s = populated();
    const ep = [...s.objects.entries()].find(([, o]) => o._tag === 'Endpoint');
    if (ep === undefined) throw new Error('no endpoint');
    const bad = { ...s, objects: mapSet(s.objects, ep[0] + 8, ep[1]) };
    expect(
      only(bad, 'objectsDoNotOverlap')
        .map((v) => v.message)
        .join(),
    ).toMatch(/overlaps|not aligned/);
  });

  it('capsPointToLiveObjects reports a cap to a missing object, and one of the wrong type', () => {
    const s = populated();
    const gone = { ...s, caps: mapSet(s.caps, rootSlotPtr(FREE + 2), { _tag: 'ThreadCap', tcb: 0x1f00_0000 } as const) };
    expect(only(gone, 'capsPointToLiveObjects')).toEqual([
      { path: `caps[0x${rootSlotPtr(FREE + 2).toString(16)}]`, message: 'ThreadCap points at 0x1f000000, where no object lives' },
    ]);
    const wrong = {
      ...s,
      caps: mapSet(s.caps, rootSlotPtr(FREE + 2), {
        _tag: 'NotificationCap',
        ptr: ROOT_CNODE_PTR,
        badge: 0,
        canSend: true,
        canReceive: true,
      } as const),
    };
    expect(only(wrong, 'capsPointToLiveObjects')[0]?.message).toMatch(/points at a CNode, expected a Notification/);
  });

  it('capsLiveInSlots reports a cap outside every CNode', () => {
    const s = populated();
    const bad = { ...s, caps: mapSet(s.caps, 0x1f00_0000, { _tag: 'DomainCap' } as const) };
    expect(only(bad, 'capsLiveInSlots')).toHaveLength(1);
  });

  it('cdtAcyclic reports a parent loop', () => {
    const s = populated();
    const a = rootSlotPtr(FREE);
    const b = rootSlotPtr(FREE + 1);
    const bad = { ...s, cdt: { ...s.cdt, parent: mapSet(mapSet(s.cdt.parent, a, b), b, a) } };
    expect(only(bad, 'cdtAcyclic').length).toBeGreaterThan(0);
  });

  it('cdtConsistent reports a parent the children lists do not know', () => {
    const s = populated();
    const bad = { ...s, cdt: { ...s.cdt, parent: mapSet(s.cdt.parent, rootSlotPtr(1), rootSlotPtr(FREE)) } };
    expect(only(bad, 'cdtConsistent')[0]?.message).toMatch(/should list/);
  });

  it('parentsCoverChildren reports a parent of another object', () => {
    const s = populated();
    const child = rootSlotPtr(FREE + 1);
    const parent = rootSlotPtr(1);
    const bad = {
      ...s,
      cdt: {
        ...s.cdt,
        parent: mapSet(s.cdt.parent, child, parent),
        children: mapSet(mapSet(s.cdt.children, parent, [child]), rootSlotPtr(FREE), []),
      },
    };
    expect(only(bad, 'parentsCoverChildren')[0]?.message).toMatch(/does not cover/);
  });

  it('untypedChildrenInside reports a child above the free index', () => {
    const s = populated();
    const ut = rootSlotPtr(untypedSlot(13));
    const cap = s.caps.get(ut);
    if (cap?._tag !== 'UntypedCap') throw new Error('no untyped');
    const bad = { ...s, caps: mapSet(s.caps, ut, { ...cap, freeIndex: 0 }) };
    expect(only(bad, 'untypedChildrenInside')[0]?.message).toMatch(/outside/);
  });
});
