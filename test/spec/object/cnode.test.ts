import { describe, expect, it } from 'vitest';
import { InitSlot, ROOT_CNODE_PTR } from '../../../spec/api';
import { CNODE, FREE, ObjType, untypedSlot } from '../../helpers/boot';
import { invoke, replyOf, rootSlot, rootSlotPtr, run } from '../../helpers/scenario';

const UT = untypedSlot(13);
const retype = (type: number, size: number, offset: number, count = 1) => invoke(UT, 'UntypedRetype', [type, size, 0, 0, offset, count], [CNODE]);
const copy = (dest: number, src: number, rights = 0xf) => invoke(CNODE, 'CNodeCopy', [dest, 32, src, 32, rights], [CNODE]);
const mint = (dest: number, src: number, data: number, rights = 0xf) => invoke(CNODE, 'CNodeMint', [dest, 32, src, 32, rights, data], [CNODE]);
const move = (dest: number, src: number) => invoke(CNODE, 'CNodeMove', [dest, 32, src, 32], [CNODE]);
const mutate = (dest: number, src: number, data: number) => invoke(CNODE, 'CNodeMutate', [dest, 32, src, 32, data], [CNODE]);
const del = (slot: number) => invoke(CNODE, 'CNodeDelete', [slot, 32]);
const revoke = (slot: number) => invoke(CNODE, 'CNodeRevoke', [slot, 32]);
const rotate = (dest: number, destData: number, pivot: number, pivotData: number, src: number) =>
  invoke(CNODE, 'CNodeRotate', [dest, 32, destData, pivot, 32, pivotData, src, 32], [CNODE, CNODE]);
/** CNode cap data: a guard of `guardSize` bits. */
const guardData = (guard: number, guardSize: number) => ((guard << 8) | (guardSize << 3)) >>> 0;

const EP = FREE; // an endpoint retyped into the first free slot

describe('spec/object/cnode', () => {
  describe('Copy', () => {
    it('derives a copy with masked rights as a child of the source', () => {
      const { state } = run([retype(ObjType.Endpoint, 0, EP), copy(EP + 1, EP, 0x2)]);
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
      const { state } = run([copy(FREE, InitSlot.ThreadIPCBuffer)]);
      expect(rootSlot(state, InitSlot.ThreadIPCBuffer)).toMatchObject({ mapped: { asid: 1 } });
      expect(rootSlot(state, FREE)).toMatchObject({ _tag: 'FrameCap', mapped: null });
    });
    const errors: Array<[string, ReturnType<typeof invoke>[], { label: number; words: number[] }]> = [
      ['an empty source is FailedLookup (source) MissingCapability(src_depth)', [copy(FREE, FREE + 1)], { label: 6, words: [1, 2, 32] }],
      ['an occupied destination is DeleteFirst', [copy(1, 2)], { label: 8, words: [] }],
      ['copying IRQ control is IllegalOperation', [copy(FREE, InitSlot.IRQControl)], { label: 3, words: [] }],
      ['copying an untyped with children is RevokeFirst', [retype(ObjType.Endpoint, 0, EP), copy(FREE + 1, UT)], { label: 9, words: [] }],
      ['copying an unmapped page table is IllegalOperation', [retype(ObjType.PageTable, 0, EP), copy(FREE + 1, EP)], { label: 3, words: [] }],
      ['fewer than five arguments is TruncatedMessage', [invoke(CNODE, 'CNodeCopy', [FREE, 32, 2, 32], [CNODE])], { label: 7, words: [] }],
      ['no source root cap is TruncatedMessage', [invoke(CNODE, 'CNodeCopy', [FREE, 32, 2, 32, 15])], { label: 7, words: [] }],
      ['a destination depth of 0 is RangeError 1..32', [invoke(CNODE, 'CNodeCopy', [FREE, 0, 2, 32, 15], [CNODE])], { label: 4, words: [1, 32] }],
      ['a destination depth of 33 is RangeError 1..32', [invoke(CNODE, 'CNodeCopy', [FREE, 33, 2, 32, 15], [CNODE])], { label: 4, words: [1, 32] }],
      [
        'a destination index that fails the guard is FailedLookup (target) GuardMismatch',
        [invoke(CNODE, 'CNodeCopy', [0x100000 + FREE, 32, 2, 32, 15], [CNODE])],
        { label: 6, words: [0, 4, 32, 0, 20] },
      ],
      ['a source depth too small is FailedLookup (source) GuardMismatch', [invoke(CNODE, 'CNodeCopy', [FREE, 32, 2, 12, 15], [CNODE])], { label: 6, words: [1, 4, 12, 0, 20] }],
      [
        'a source root that is not a CNode is FailedLookup (source) InvalidRoot',
        [invoke(CNODE, 'CNodeCopy', [FREE, 32, 2, 32, 15], [InitSlot.ThreadTCB])],
        { label: 6, words: [1, 1] },
      ],
    ];
    it.each(errors)('%s', (_n, events, expected) => {
      const { state } = run(events);
      expect(replyOf(state)).toMatchObject({ label: expected.label, words: expected.words });
    });
  });

  describe('Mint', () => {
    it('sets a badge on an unbadged endpoint cap; the minted cap is an original child', () => {
      const { state } = run([retype(ObjType.Endpoint, 0, EP), mint(EP + 1, EP, 0x12345)]);
      expect(rootSlot(state, EP + 1)).toMatchObject({ badge: 0x12345 });
      expect(state.cdt.original.has(rootSlotPtr(EP + 1))).toBe(true);
      expect(state.cdt.parent.get(rootSlotPtr(EP + 1))).toBe(rootSlotPtr(EP));
    });
    it('masks the badge to 28 bits', () => {
      const { state } = run([retype(ObjType.Notification, 0, EP), mint(EP + 1, EP, 0xfffffff5)]);
      expect(rootSlot(state, EP + 1)).toMatchObject({ badge: 0x0ffffff5 });
    });
    it('refuses to rebadge a badged cap, even with the same badge (IllegalOperation)', () => {
      const { state } = run([retype(ObjType.Endpoint, 0, EP), mint(EP + 1, EP, 5), mint(EP + 2, EP + 1, 5)]);
      expect(replyOf(state)).toMatchObject({ label: 3 });
      expect(rootSlot(state, EP + 2)._tag).toBe('NullCap');
    });
    it('with badge 0 on an unbadged cap makes an unbadged, masked, non-original copy', () => {
      const { state } = run([retype(ObjType.Endpoint, 0, EP), mint(EP + 1, EP, 0, 0x1)]);
      expect(rootSlot(state, EP + 1)).toMatchObject({ badge: 0, canSend: true, canReceive: false });
      expect(state.cdt.original.has(rootSlotPtr(EP + 1))).toBe(false);
    });
    it("sets a CNode cap's guard and refuses guard size plus radix above 32", () => {
      const ok = run([retype(ObjType.CapTable, 4, FREE), mint(FREE + 1, FREE, guardData(3, 2))]);
      expect(rootSlot(ok.state, FREE + 1)).toMatchObject({ _tag: 'CNodeCap', guard: 3, guardSize: 2, radix: 4 });
      const bad = run([retype(ObjType.CapTable, 4, FREE), mint(FREE + 1, FREE, guardData(0, 29))]);
      expect(replyOf(bad.state)).toMatchObject({ label: 3 });
    });
    it('needs six arguments', () => {
      const { state } = run([invoke(CNODE, 'CNodeMint', [FREE, 32, 2, 32, 15], [CNODE])]);
      expect(replyOf(state)).toMatchObject({ label: 7 });
    });
    it('makes a second mint with the same badge a sibling: revoking one leaves the other', () => {
      const { state } = run([retype(ObjType.Endpoint, 0, EP), mint(EP + 1, EP, 7), mint(EP + 2, EP, 7), copy(EP + 3, EP + 1), revoke(EP + 2)]);
      expect(rootSlot(state, EP + 1)).toMatchObject({ badge: 7 });
      expect(rootSlot(state, EP + 3)).toMatchObject({ badge: 7 });
      const revokeFirst = run([retype(ObjType.Endpoint, 0, EP), mint(EP + 1, EP, 7), copy(EP + 3, EP + 1), revoke(EP + 1)]);
      expect(rootSlot(revokeFirst.state, EP + 3)._tag).toBe('NullCap');
    });
  });

  describe('Move and Mutate', () => {
    it('moves a cap with its place in the tree; the source becomes empty', () => {
      const { state } = run([retype(ObjType.Endpoint, 0, EP), copy(EP + 1, EP), move(EP + 2, EP)]);
      expect(rootSlot(state, EP)._tag).toBe('NullCap');
      expect(rootSlot(state, EP + 2)._tag).toBe('EndpointCap');
      expect(state.cdt.parent.get(rootSlotPtr(EP + 1))).toBe(rootSlotPtr(EP + 2));
      expect(state.cdt.parent.get(rootSlotPtr(EP + 2))).toBe(rootSlotPtr(UT));
      expect(state.cdt.original.has(rootSlotPtr(EP + 2))).toBe(true);
    });
    it('moves caps that cannot be copied (IRQ control)', () => {
      const { state } = run([move(FREE, InitSlot.IRQControl)]);
      expect(rootSlot(state, FREE)._tag).toBe('IRQControlCap');
    });
    it('refuses to mutate endpoint caps, even with data 0 (IllegalOperation)', () => {
      const { state } = run([retype(ObjType.Endpoint, 0, EP), mutate(EP + 1, EP, 0)]);
      expect(replyOf(state)).toMatchObject({ label: 3 });
      expect(rootSlot(state, EP)._tag).toBe('EndpointCap');
    });
    it("mutates a CNode cap's guard while moving it", () => {
      const { state } = run([retype(ObjType.CapTable, 4, FREE), mutate(FREE + 1, FREE, guardData(1, 1))]);
      expect(rootSlot(state, FREE + 1)).toMatchObject({ _tag: 'CNodeCap', guard: 1, guardSize: 1 });
      expect(rootSlot(state, FREE)._tag).toBe('NullCap');
    });
    it('needs five arguments for Mutate and an empty destination for both', () => {
      expect(replyOf(run([invoke(CNODE, 'CNodeMutate', [FREE, 32, 2, 32], [CNODE])]).state)).toMatchObject({ label: 7 });
      expect(replyOf(run([move(1, 2)]).state)).toMatchObject({ label: 8 });
    });
  });

  describe('Rotate', () => {
    it('moves pivot to dest and src to pivot', () => {
      const { state } = run([retype(ObjType.Endpoint, 0, EP, 2), rotate(EP + 5, 0, EP + 1, 0, EP)].map((e, i) => (i === 1 ? e : e)));
      // Endpoint caps cannot take Rotate's (Mutate-like) data: IllegalOperation.
      expect(replyOf(state)).toMatchObject({ label: 3 });
      const cn = run([retype(ObjType.CapTable, 1, FREE, 2), rotate(FREE + 5, guardData(1, 1), FREE + 1, guardData(0, 3), FREE)]);
      expect(rootSlot(cn.state, FREE + 5)).toMatchObject({ _tag: 'CNodeCap', guardSize: 1, guard: 1 });
      expect(rootSlot(cn.state, FREE + 1)).toMatchObject({ _tag: 'CNodeCap', guardSize: 3 });
      expect(rootSlot(cn.state, FREE)._tag).toBe('NullCap');
    });
    it('swaps src and pivot when dest is src', () => {
      const { state } = run([retype(ObjType.CapTable, 1, FREE), retype(ObjType.CapTable, 2, FREE + 1), rotate(FREE, 0, FREE + 1, 0, FREE)]);
      expect(rootSlot(state, FREE)).toMatchObject({ radix: 2 });
      expect(rootSlot(state, FREE + 1)).toMatchObject({ radix: 1 });
    });
    const errors: Array<[string, ReturnType<typeof invoke>[], { label: number; words: number[] }]> = [
      ['pivot equal to src is IllegalOperation', [rotate(FREE + 5, 0, 2, 0, 2)], { label: 3, words: [] }],
      ['pivot equal to dest is IllegalOperation', [rotate(2, 0, 2, 0, 1)], { label: 3, words: [] }],
      ['an occupied dest (not src) is DeleteFirst', [rotate(3, 0, 2, 0, 1)], { label: 8, words: [] }],
      ['an empty src is FailedLookup (source) MissingCapability', [rotate(FREE + 5, 0, 2, 0, FREE)], { label: 6, words: [1, 2, 32] }],
      ['an empty pivot is FailedLookup (target side) MissingCapability', [rotate(FREE + 5, 0, FREE + 1, 0, 2)], { label: 6, words: [0, 2, 32] }],
      ['fewer than eight arguments is TruncatedMessage', [invoke(CNODE, 'CNodeRotate', [FREE, 32, 0, 2, 32, 0, 1], [CNODE, CNODE])], { label: 7, words: [] }],
      ['a missing second root cap is TruncatedMessage', [invoke(CNODE, 'CNodeRotate', [FREE, 32, 0, 2, 32, 0, 1, 32], [CNODE])], { label: 7, words: [] }],
    ];
    it.each(errors)('%s', (_n, events, expected) => {
      expect(replyOf(run(events).state)).toMatchObject({ label: expected.label, words: expected.words });
    });
  });

  describe('Delete and Revoke', () => {
    it('deletes a copy and leaves the original', () => {
      const { state } = run([retype(ObjType.Endpoint, 0, EP), copy(EP + 1, EP), del(EP + 1)]);
      expect(rootSlot(state, EP + 1)._tag).toBe('NullCap');
      expect(rootSlot(state, EP)._tag).toBe('EndpointCap');
      expect(state.cdt.children.get(rootSlotPtr(EP))).toBeUndefined();
    });
    it('deleting an empty slot does nothing and succeeds', () => {
      const { state, outcomes } = run([del(FREE)]);
      expect(outcomes[0]?.result).toBe('ok');
      expect(replyOf(state)).toMatchObject({ label: 0, length: 0 });
    });
    it("gives a deleted cap's children to its parent, in place", () => {
      const { state } = run([retype(ObjType.Endpoint, 0, EP), mint(EP + 1, EP, 3), copy(EP + 2, EP + 1), del(EP + 1)]);
      expect(state.cdt.parent.get(rootSlotPtr(EP + 2))).toBe(rootSlotPtr(EP));
    });
    it('deleting the last cap to a CNode deletes the caps inside it', () => {
      const { state } = run([
        retype(ObjType.CapTable, 2, FREE),
        retype(ObjType.Endpoint, 0, 1, 1),
        invoke(UT, 'UntypedRetype', [ObjType.Endpoint, 0, FREE, 32, 1, 1], [CNODE]),
        del(FREE),
      ]);
      const cn = [...state.objects.entries()].find(([, o]) => o._tag === 'CNode' && o.radix === 2);
      expect(cn).toBeDefined();
      const [p] = cn as [number, unknown];
      expect(state.caps.has(p + 16)).toBe(false);
    });
    it('deleting a CNode that holds a cap to itself finishes', () => {
      const { state, outcomes } = run([retype(ObjType.CapTable, 2, FREE), invoke(FREE, 'CNodeCopy', [0, 2, FREE, 32, 15], [CNODE]), del(FREE)]);
      expect(outcomes.map((o) => o.result)).toEqual(['ok', 'ok', 'ok']);
      expect(rootSlot(state, FREE)._tag).toBe('NullCap');
    });
    it('revokes children and grandchildren, but not the cap itself', () => {
      const { state } = run([retype(ObjType.Endpoint, 0, EP), mint(EP + 1, EP, 1), copy(EP + 2, EP + 1), copy(EP + 3, EP), revoke(EP)]);
      expect([EP, EP + 1, EP + 2, EP + 3].map((i) => rootSlot(state, i)._tag)).toEqual(['EndpointCap', 'NullCap', 'NullCap', 'NullCap']);
    });
    it('revoking an untyped deletes every object cap made from it; the next retype resets it', () => {
      const { state } = run([retype(ObjType.Endpoint, 0, EP, 3), revoke(UT), retype(ObjType.TCB, 0, EP + 4)]);
      expect([EP, EP + 1, EP + 2].map((i) => rootSlot(state, i)._tag)).toEqual(['NullCap', 'NullCap', 'NullCap']);
      expect(rootSlot(state, UT)).toMatchObject({ freeIndex: 512 });
    });
    it('checks the label, the length and the target slot first', () => {
      expect(replyOf(run([invoke(CNODE, 'TCBSuspend', [FREE, 32])]).state)).toMatchObject({ label: 3 });
      expect(replyOf(run([invoke(CNODE, 'CNodeDelete', [FREE])]).state)).toMatchObject({ label: 7 });
      expect(replyOf(run([invoke(CNODE, 'CNodeRevoke', [FREE, 64])]).state)).toMatchObject({ label: 4, words: [1, 32] });
    });
  });

  describe('CancelBadgedSends and SaveCaller', () => {
    it('needs an endpoint cap with all four rights', () => {
      const { state } = run([retype(ObjType.Endpoint, 0, EP), mint(EP + 1, EP, 2, 0x7), invoke(CNODE, 'CNodeCancelBadgedSends', [EP + 1, 32])]);
      expect(replyOf(state)).toMatchObject({ label: 3 });
      const ok = run([retype(ObjType.Endpoint, 0, EP), mint(EP + 1, EP, 2), invoke(CNODE, 'CNodeCancelBadgedSends', [EP + 1, 32])]);
      expect(replyOf(ok.state)).toMatchObject({ label: 0, length: 0 });
      expect(replyOf(run([invoke(CNODE, 'CNodeCancelBadgedSends', [InitSlot.ThreadTCB, 32])]).state)).toMatchObject({ label: 3 });
    });
    it('moves nothing when there is no caller, and refuses an occupied destination', () => {
      const { state } = run([invoke(CNODE, 'CNodeSaveCaller', [FREE, 32])]);
      expect(replyOf(state)).toMatchObject({ label: 0, length: 0 });
      expect(rootSlot(state, FREE)._tag).toBe('NullCap');
      expect(replyOf(run([invoke(CNODE, 'CNodeSaveCaller', [1, 32])]).state)).toMatchObject({ label: 8 });
    });
  });

  it('addresses slots of a nested CNode through a guard', () => {
    // A root CNode copy with no guard resolves 12 bits, then a radix-4 CNode with a 16-bit guard.
    const { state } = run([
      retype(ObjType.CapTable, 4, FREE),
      mint(FREE + 1, CNODE, guardData(0, 0)),
      mint(FREE + 2, FREE, guardData(0x2a, 16)),
      invoke(FREE + 1, 'CNodeCopy', [((FREE + 2) << 20) | (0x2a << 4) | 5, 32, InitSlot.Domain, 12, 15], [FREE + 1]),
    ]);
    const inner = rootSlot(state, FREE);
    if (inner._tag !== 'CNodeCap') throw new Error('no CNode');
    expect(replyOf(state)).toMatchObject({ label: 0 });
    expect(state.caps.get(inner.ptr + 5 * 16)?._tag).toBe('DomainCap');
    expect(ROOT_CNODE_PTR).toBeGreaterThan(0);
  });
});
