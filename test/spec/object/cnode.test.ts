import { describe, expect, it } from 'vitest';
import { type Event, InitSlot, ROOT_CNODE_PTR } from '../../../spec/api';
import { AllRights, CNode, Untyped, guardData, invoke, slot } from '../../../refinement/scenario';
import { CNODE, FREE, ObjType, untypedSlot } from '../../helpers/boot';
import { replyOf, rootSlot, rootSlotPtr, run } from '../../helpers/scenario';

const UT = untypedSlot(13);
const EP = FREE; // an endpoint retyped into the first free slot

describe('spec/object/cnode', () => {
  describe('Copy', () => {
    it('derives a copy with masked rights as a child of the source', () => {
      const { state } = run([Untyped.retype(UT, ObjType.Endpoint, 0, CNODE, 0, 0, EP, 1), CNode.copy(EP + 1, EP, 0x2)]);
      expect(rootSlot(state, EP + 1)).toMatchObject({
        _tag: 'EndpointCap',
        canSend: false,
        canReceive: true,
        canGrant: false,
        canGrantReply: false,
        badge: 0,
      });
      expect(state.cdt.parent.get(rootSlotPtr(EP + 1))).toBe(rootSlotPtr(EP));
      expect(state.cdt.original.has(rootSlotPtr(EP + 1))).toBe(false);
    });
    it('copies a frame cap unmapped', () => {
      const { state } = run([CNode.copy(FREE, InitSlot.ThreadIPCBuffer, AllRights)]);
      expect(rootSlot(state, InitSlot.ThreadIPCBuffer)).toMatchObject({ mapped: { asid: 1 } });
      expect(rootSlot(state, FREE)).toMatchObject({ _tag: 'FrameCap', mapped: null });
    });
    const errors: Array<[string, Event[], { label: number; words: number[] }]> = [
      ['an empty source is FailedLookup (source) MissingCapability(src_depth)', [CNode.copy(FREE, FREE + 1, AllRights)], { label: 6, words: [1, 2, 32] }],
      ['an occupied destination is DeleteFirst', [CNode.copy(1, 2, AllRights)], { label: 8, words: [] }],
      ['copying IRQ control is IllegalOperation', [CNode.copy(FREE, InitSlot.IRQControl, AllRights)], { label: 3, words: [] }],
      [
        'copying an untyped with children is RevokeFirst',
        [Untyped.retype(UT, ObjType.Endpoint, 0, CNODE, 0, 0, EP, 1), CNode.copy(FREE + 1, UT, AllRights)],
        { label: 9, words: [] },
      ],
      [
        'copying an unmapped page table is IllegalOperation',
        [Untyped.retype(UT, ObjType.PageTable, 0, CNODE, 0, 0, EP, 1), CNode.copy(FREE + 1, EP, AllRights)],
        { label: 3, words: [] },
      ],
      ['fewer than five arguments is TruncatedMessage', [invoke(CNODE, 'CNodeCopy', [FREE, 32, 2, 32], [CNODE])], { label: 7, words: [] }],
      ['no source root cap is TruncatedMessage', [invoke(CNODE, 'CNodeCopy', [FREE, 32, 2, 32, 15])], { label: 7, words: [] }],
      ['a destination depth of 0 is RangeError 1..32', [CNode.copy(slot(FREE, CNODE, 0), 2, AllRights)], { label: 4, words: [1, 32] }],
      ['a destination depth of 33 is RangeError 1..32', [CNode.copy(slot(FREE, CNODE, 33), 2, AllRights)], { label: 4, words: [1, 32] }],
      ['a destination index that fails the guard is FailedLookup (target) GuardMismatch', [CNode.copy(0x100000 + FREE, 2, AllRights)], { label: 6, words: [0, 4, 32, 0, 20] }],
      ['a source depth too small is FailedLookup (source) GuardMismatch', [CNode.copy(FREE, slot(2, CNODE, 12), AllRights)], { label: 6, words: [1, 4, 12, 0, 20] }],
      ['a source root that is not a CNode is FailedLookup (source) InvalidRoot', [CNode.copy(FREE, slot(2, InitSlot.ThreadTCB, 32), AllRights)], { label: 6, words: [1, 1] }],
    ];
    it.each(errors)('%s', (_n, events, expected) => {
      const { state } = run(events);
      expect(replyOf(state)).toMatchObject({ label: expected.label, words: expected.words });
    });
  });

  describe('Mint', () => {
    it('sets a badge on an unbadged endpoint cap; the minted cap is an original child', () => {
      const { state } = run([Untyped.retype(UT, ObjType.Endpoint, 0, CNODE, 0, 0, EP, 1), CNode.mint(EP + 1, EP, AllRights, 0x12345)]);
      expect(rootSlot(state, EP + 1)).toMatchObject({ badge: 0x12345 });
      expect(state.cdt.original.has(rootSlotPtr(EP + 1))).toBe(true);
      expect(state.cdt.parent.get(rootSlotPtr(EP + 1))).toBe(rootSlotPtr(EP));
    });
    it('masks the badge to 28 bits', () => {
      const { state } = run([Untyped.retype(UT, ObjType.Notification, 0, CNODE, 0, 0, EP, 1), CNode.mint(EP + 1, EP, AllRights, 0xfffffff5)]);
      expect(rootSlot(state, EP + 1)).toMatchObject({ badge: 0x0ffffff5 });
    });
    it('refuses to rebadge a badged cap, even with the same badge (IllegalOperation)', () => {
      const { state } = run([Untyped.retype(UT, ObjType.Endpoint, 0, CNODE, 0, 0, EP, 1), CNode.mint(EP + 1, EP, AllRights, 5), CNode.mint(EP + 2, EP + 1, AllRights, 5)]);
      expect(replyOf(state)).toMatchObject({ label: 3 });
      expect(rootSlot(state, EP + 2)._tag).toBe('NullCap');
    });
    it('with badge 0 on an unbadged cap makes an unbadged, masked, non-original copy', () => {
      const { state } = run([Untyped.retype(UT, ObjType.Endpoint, 0, CNODE, 0, 0, EP, 1), CNode.mint(EP + 1, EP, 0x1, 0)]);
      expect(rootSlot(state, EP + 1)).toMatchObject({ badge: 0, canSend: true, canReceive: false });
      expect(state.cdt.original.has(rootSlotPtr(EP + 1))).toBe(false);
    });
    it("sets a CNode cap's guard and refuses guard size plus radix above 32", () => {
      const ok = run([Untyped.retype(UT, ObjType.CapTable, 4, CNODE, 0, 0, FREE, 1), CNode.mint(FREE + 1, FREE, AllRights, guardData(3, 2))]);
      expect(rootSlot(ok.state, FREE + 1)).toMatchObject({ _tag: 'CNodeCap', guard: 3, guardSize: 2, radix: 4 });
      const bad = run([Untyped.retype(UT, ObjType.CapTable, 4, CNODE, 0, 0, FREE, 1), CNode.mint(FREE + 1, FREE, AllRights, guardData(0, 29))]);
      expect(replyOf(bad.state)).toMatchObject({ label: 3 });
    });
    it('needs six arguments', () => {
      const { state } = run([invoke(CNODE, 'CNodeMint', [FREE, 32, 2, 32, 15], [CNODE])]);
      expect(replyOf(state)).toMatchObject({ label: 7 });
    });
    it('makes a second mint with the same badge a sibling: revoking one leaves the other', () => {
      const { state } = run([
        Untyped.retype(UT, ObjType.Endpoint, 0, CNODE, 0, 0, EP, 1),
        CNode.mint(EP + 1, EP, AllRights, 7),
        CNode.mint(EP + 2, EP, AllRights, 7),
        CNode.copy(EP + 3, EP + 1, AllRights),
        CNode.revoke(EP + 2),
      ]);
      expect(rootSlot(state, EP + 1)).toMatchObject({ badge: 7 });
      expect(rootSlot(state, EP + 3)).toMatchObject({ badge: 7 });
      const revokeFirst = run([
        Untyped.retype(UT, ObjType.Endpoint, 0, CNODE, 0, 0, EP, 1),
        CNode.mint(EP + 1, EP, AllRights, 7),
        CNode.copy(EP + 3, EP + 1, AllRights),
        CNode.revoke(EP + 1),
      ]);
      expect(rootSlot(revokeFirst.state, EP + 3)._tag).toBe('NullCap');
    });
  });

  describe('Move and Mutate', () => {
    it('moves a cap with its place in the tree; the source becomes empty', () => {
      const { state } = run([Untyped.retype(UT, ObjType.Endpoint, 0, CNODE, 0, 0, EP, 1), CNode.copy(EP + 1, EP, AllRights), CNode.move(EP + 2, EP)]);
      expect(rootSlot(state, EP)._tag).toBe('NullCap');
      expect(rootSlot(state, EP + 2)._tag).toBe('EndpointCap');
      expect(state.cdt.parent.get(rootSlotPtr(EP + 1))).toBe(rootSlotPtr(EP + 2));
      expect(state.cdt.parent.get(rootSlotPtr(EP + 2))).toBe(rootSlotPtr(UT));
      expect(state.cdt.original.has(rootSlotPtr(EP + 2))).toBe(true);
    });
    it('moves caps that cannot be copied (IRQ control)', () => {
      const { state } = run([CNode.move(FREE, InitSlot.IRQControl)]);
      expect(rootSlot(state, FREE)._tag).toBe('IRQControlCap');
    });
    it('refuses to mutate endpoint caps, even with data 0 (IllegalOperation)', () => {
      const { state } = run([Untyped.retype(UT, ObjType.Endpoint, 0, CNODE, 0, 0, EP, 1), CNode.mutate(EP + 1, EP, 0)]);
      expect(replyOf(state)).toMatchObject({ label: 3 });
      expect(rootSlot(state, EP)._tag).toBe('EndpointCap');
    });
    it("mutates a CNode cap's guard while moving it", () => {
      const { state } = run([Untyped.retype(UT, ObjType.CapTable, 4, CNODE, 0, 0, FREE, 1), CNode.mutate(FREE + 1, FREE, guardData(1, 1))]);
      expect(rootSlot(state, FREE + 1)).toMatchObject({ _tag: 'CNodeCap', guard: 1, guardSize: 1 });
      expect(rootSlot(state, FREE)._tag).toBe('NullCap');
    });
    it('needs five arguments for Mutate and an empty destination for both', () => {
      expect(replyOf(run([invoke(CNODE, 'CNodeMutate', [FREE, 32, 2, 32], [CNODE])]).state)).toMatchObject({ label: 7 });
      expect(replyOf(run([CNode.move(1, 2)]).state)).toMatchObject({ label: 8 });
    });
  });

  describe('Rotate', () => {
    it('moves pivot to dest and src to pivot', () => {
      const { state } = run([Untyped.retype(UT, ObjType.Endpoint, 0, CNODE, 0, 0, EP, 2), CNode.rotate(EP + 5, 0, EP + 1, 0, EP)].map((e, i) => (i === 1 ? e : e)));
      // Endpoint caps cannot take Rotate's (Mutate-like) data: IllegalOperation.
      expect(replyOf(state)).toMatchObject({ label: 3 });
      const cn = run([Untyped.retype(UT, ObjType.CapTable, 1, CNODE, 0, 0, FREE, 2), CNode.rotate(FREE + 5, guardData(1, 1), FREE + 1, guardData(0, 3), FREE)]);
      expect(rootSlot(cn.state, FREE + 5)).toMatchObject({ _tag: 'CNodeCap', guardSize: 1, guard: 1 });
      expect(rootSlot(cn.state, FREE + 1)).toMatchObject({ _tag: 'CNodeCap', guardSize: 3 });
      expect(rootSlot(cn.state, FREE)._tag).toBe('NullCap');
    });
    it('swaps src and pivot when dest is src', () => {
      const { state } = run([
        Untyped.retype(UT, ObjType.CapTable, 1, CNODE, 0, 0, FREE, 1),
        Untyped.retype(UT, ObjType.CapTable, 2, CNODE, 0, 0, FREE + 1, 1),
        CNode.rotate(FREE, 0, FREE + 1, 0, FREE),
      ]);
      expect(rootSlot(state, FREE)).toMatchObject({ radix: 2 });
      expect(rootSlot(state, FREE + 1)).toMatchObject({ radix: 1 });
    });
    const errors: Array<[string, Event[], { label: number; words: number[] }]> = [
      ['pivot equal to src is IllegalOperation', [CNode.rotate(FREE + 5, 0, 2, 0, 2)], { label: 3, words: [] }],
      ['pivot equal to dest is IllegalOperation', [CNode.rotate(2, 0, 2, 0, 1)], { label: 3, words: [] }],
      ['an occupied dest (not src) is DeleteFirst', [CNode.rotate(3, 0, 2, 0, 1)], { label: 8, words: [] }],
      ['an empty src is FailedLookup (source) MissingCapability', [CNode.rotate(FREE + 5, 0, 2, 0, FREE)], { label: 6, words: [1, 2, 32] }],
      ['an empty pivot is FailedLookup (target side) MissingCapability', [CNode.rotate(FREE + 5, 0, FREE + 1, 0, 2)], { label: 6, words: [0, 2, 32] }],
      ['fewer than eight arguments is TruncatedMessage', [invoke(CNODE, 'CNodeRotate', [FREE, 32, 0, 2, 32, 0, 1], [CNODE, CNODE])], { label: 7, words: [] }],
      ['a missing second root cap is TruncatedMessage', [invoke(CNODE, 'CNodeRotate', [FREE, 32, 0, 2, 32, 0, 1, 32], [CNODE])], { label: 7, words: [] }],
    ];
    it.each(errors)('%s', (_n, events, expected) => {
      expect(replyOf(run(events).state)).toMatchObject({ label: expected.label, words: expected.words });
    });
  });

  describe('Delete and Revoke', () => {
    it('deletes a copy and leaves the original', () => {
      const { state } = run([Untyped.retype(UT, ObjType.Endpoint, 0, CNODE, 0, 0, EP, 1), CNode.copy(EP + 1, EP, AllRights), CNode.delete(EP + 1)]);
      expect(rootSlot(state, EP + 1)._tag).toBe('NullCap');
      expect(rootSlot(state, EP)._tag).toBe('EndpointCap');
      expect(state.cdt.children.get(rootSlotPtr(EP))).toBeUndefined();
    });
    it('deleting an empty slot does nothing and succeeds', () => {
      const { state, outcomes } = run([CNode.delete(FREE)]);
      expect(outcomes[0]?.result).toBe('ok');
      expect(replyOf(state)).toMatchObject({ label: 0, length: 0 });
    });
    it("gives a deleted cap's children to its parent, in place", () => {
      const { state } = run([
        Untyped.retype(UT, ObjType.Endpoint, 0, CNODE, 0, 0, EP, 1),
        CNode.mint(EP + 1, EP, AllRights, 3),
        CNode.copy(EP + 2, EP + 1, AllRights),
        CNode.delete(EP + 1),
      ]);
      expect(state.cdt.parent.get(rootSlotPtr(EP + 2))).toBe(rootSlotPtr(EP));
    });
    it('deleting the last cap to a CNode deletes the caps inside it', () => {
      const { state } = run([
        Untyped.retype(UT, ObjType.CapTable, 2, CNODE, 0, 0, FREE, 1),
        Untyped.retype(UT, ObjType.Endpoint, 0, CNODE, 0, 0, 1, 1),
        Untyped.retype(UT, ObjType.Endpoint, 0, CNODE, FREE, 32, 1, 1),
        CNode.delete(FREE),
      ]);
      const cn = [...state.objects.entries()].find(([, o]) => o._tag === 'CNode' && o.radix === 2);
      expect(cn).toBeDefined();
      const [p] = cn as [number, unknown];
      expect(state.caps.has(p + 16)).toBe(false);
    });
    it('deleting a CNode that holds a cap to itself finishes', () => {
      const { state, outcomes } = run([Untyped.retype(UT, ObjType.CapTable, 2, CNODE, 0, 0, FREE, 1), CNode.copy(slot(0, FREE, 2), FREE, AllRights), CNode.delete(FREE)]);
      expect(outcomes.map((o) => o.result)).toEqual(['ok', 'ok', 'ok']);
      expect(rootSlot(state, FREE)._tag).toBe('NullCap');
    });
    it('revokes children and grandchildren, but not the cap itself', () => {
      const { state } = run([
        Untyped.retype(UT, ObjType.Endpoint, 0, CNODE, 0, 0, EP, 1),
        CNode.mint(EP + 1, EP, AllRights, 1),
        CNode.copy(EP + 2, EP + 1, AllRights),
        CNode.copy(EP + 3, EP, AllRights),
        CNode.revoke(EP),
      ]);
      expect([EP, EP + 1, EP + 2, EP + 3].map((i) => rootSlot(state, i)._tag)).toEqual(['EndpointCap', 'NullCap', 'NullCap', 'NullCap']);
    });
    it('revoking an untyped deletes every object cap made from it; the next retype resets it', () => {
      const { state } = run([Untyped.retype(UT, ObjType.Endpoint, 0, CNODE, 0, 0, EP, 3), CNode.revoke(UT), Untyped.retype(UT, ObjType.TCB, 0, CNODE, 0, 0, EP + 4, 1)]);
      expect([EP, EP + 1, EP + 2].map((i) => rootSlot(state, i)._tag)).toEqual(['NullCap', 'NullCap', 'NullCap']);
      expect(rootSlot(state, UT)).toMatchObject({ freeIndex: 512 });
    });
    it('checks the label, the length and the target slot first', () => {
      expect(replyOf(run([invoke(CNODE, 'TCBSuspend', [FREE, 32])]).state)).toMatchObject({ label: 3 });
      expect(replyOf(run([invoke(CNODE, 'CNodeDelete', [FREE])]).state)).toMatchObject({ label: 7 });
      expect(replyOf(run([CNode.revoke(slot(FREE, CNODE, 64))]).state)).toMatchObject({ label: 4, words: [1, 32] });
    });
  });

  describe('CancelBadgedSends and SaveCaller', () => {
    it('needs an endpoint cap with all four rights', () => {
      const { state } = run([Untyped.retype(UT, ObjType.Endpoint, 0, CNODE, 0, 0, EP, 1), CNode.mint(EP + 1, EP, 0x7, 2), CNode.cancelBadgedSends(EP + 1)]);
      expect(replyOf(state)).toMatchObject({ label: 3 });
      const ok = run([Untyped.retype(UT, ObjType.Endpoint, 0, CNODE, 0, 0, EP, 1), CNode.mint(EP + 1, EP, AllRights, 2), CNode.cancelBadgedSends(EP + 1)]);
      expect(replyOf(ok.state)).toMatchObject({ label: 0, length: 0 });
      expect(replyOf(run([CNode.cancelBadgedSends(InitSlot.ThreadTCB)]).state)).toMatchObject({ label: 3 });
    });
    it('moves nothing when there is no caller, and refuses an occupied destination', () => {
      const { state } = run([CNode.saveCaller(FREE)]);
      expect(replyOf(state)).toMatchObject({ label: 0, length: 0 });
      expect(rootSlot(state, FREE)._tag).toBe('NullCap');
      expect(replyOf(run([CNode.saveCaller(1)]).state)).toMatchObject({ label: 8 });
    });
  });

  it('addresses slots of a nested CNode through a guard', () => {
    // A root CNode copy with no guard resolves 12 bits, then a radix-4 CNode with a 16-bit guard.
    const { state } = run([
      Untyped.retype(UT, ObjType.CapTable, 4, CNODE, 0, 0, FREE, 1),
      CNode.mint(FREE + 1, CNODE, AllRights, guardData(0, 0)),
      CNode.mint(FREE + 2, FREE, AllRights, guardData(0x2a, 16)),
      CNode.copy(slot(((FREE + 2) << 20) | (0x2a << 4) | 5, FREE + 1, 32), slot(InitSlot.Domain, FREE + 1, 12), AllRights),
    ]);
    const inner = rootSlot(state, FREE);
    if (inner._tag !== 'CNodeCap') throw new Error('no CNode');
    expect(replyOf(state)).toMatchObject({ label: 0 });
    expect(state.caps.get(inner.ptr + 5 * 16)?._tag).toBe('DomainCap');
    expect(ROOT_CNODE_PTR).toBeGreaterThan(0);
  });
});
