import { describe, expect, it } from 'vitest';
import { type Event, ROOT_CNODE_PTR, SysNBSend } from '../../../spec/api';
import { AllRights, CNode, Untyped, invoke } from '../../../refinement/scenario';
import { getObject } from '../../../spec/model/heap';
import { CNODE, FREE, ObjType, untypedBase, untypedSlot } from '../../helpers/boot';
import { replyOf, rootSlot, rootSlotPtr, run } from '../../helpers/scenario';

const UT13 = untypedSlot(13);
const BASE13 = untypedBase(13);

describe('spec/object/untyped', () => {
  describe('Untyped_Retype success', () => {
    it('creates each object type with its cap in the destination slot', () => {
      const types = [
        [ObjType.TCB, 0, 'ThreadCap'],
        [ObjType.Endpoint, 0, 'EndpointCap'],
        [ObjType.Notification, 0, 'NotificationCap'],
        [ObjType.CapTable, 3, 'CNodeCap'],
        [ObjType.Untyped, 5, 'UntypedCap'],
        [ObjType.SmallPage, 0, 'FrameCap'],
        [ObjType.LargePage, 0, 'FrameCap'],
        [ObjType.PageTable, 0, 'PageTableCap'],
        [ObjType.PageDirectory, 0, 'PageDirectoryCap'],
      ] as const;
      const { state, outcomes } = run(types.map(([t, sz], i) => Untyped.retype(untypedSlot(21), t, sz, CNODE, 0, 0, FREE + i, 1)));
      expect(outcomes.every((o) => o.result === 'ok')).toBe(true);
      types.forEach(([, , tag], i) => expect(rootSlot(state, FREE + i)._tag).toBe(tag));
      expect(replyOf(state)).toMatchObject({ label: 0, length: 0, badge: 0 });
    });

    it('creates sections and supersections from large enough untypeds', () => {
      const { state } = run([
        Untyped.retype(untypedSlot(24), ObjType.SuperSection, 0, CNODE, 0, 0, FREE, 1),
        Untyped.retype(untypedSlot(21), ObjType.Section, 0, CNODE, 0, 0, FREE + 1, 2),
      ]);
      expect(rootSlot(state, FREE)).toMatchObject({ _tag: 'FrameCap', sizeBits: 24, rights: 'VMReadWrite', mapped: null });
      expect(rootSlot(state, FREE + 2)).toMatchObject({ _tag: 'FrameCap', sizeBits: 20, ptr: untypedBase(21) + 2 ** 20 });
    });

    it("places consecutive objects one object size apart and makes them the untyped's children, newest first", () => {
      const { state } = run([Untyped.retype(UT13, ObjType.Endpoint, 0, CNODE, 0, 0, FREE, 3)]);
      expect([0, 1, 2].map((i) => rootSlot(state, FREE + i))).toMatchObject([{ ptr: BASE13 }, { ptr: BASE13 + 16 }, { ptr: BASE13 + 32 }]);
      expect(state.cdt.children.get(rootSlotPtr(UT13))).toEqual([rootSlotPtr(FREE + 2), rootSlotPtr(FREE + 1), rootSlotPtr(FREE)]);
      expect(rootSlot(state, UT13)).toMatchObject({ freeIndex: 48 });
    });

    it('aligns the first object to its size after the free index', () => {
      const { state } = run([Untyped.retype(UT13, ObjType.Endpoint, 0, CNODE, 0, 0, FREE, 1), Untyped.retype(UT13, ObjType.CapTable, 4, CNODE, 0, 0, FREE + 1, 1)]);
      expect(rootSlot(state, FREE + 1)).toMatchObject({ _tag: 'CNodeCap', ptr: BASE13 + 256, radix: 4 });
      expect(rootSlot(state, UT13)).toMatchObject({ freeIndex: 512 });
    });

    it('keeps allocating after existing children, but resets to the base once the untyped has none', () => {
      const kept = run([Untyped.retype(UT13, ObjType.Endpoint, 0, CNODE, 0, 0, FREE, 1), Untyped.retype(UT13, ObjType.Endpoint, 0, CNODE, 0, 0, FREE + 1, 1)]);
      expect(rootSlot(kept.state, FREE + 1)).toMatchObject({ ptr: BASE13 + 16 });
      const reset = run([
        Untyped.retype(UT13, ObjType.Endpoint, 0, CNODE, 0, 0, FREE, 1),
        CNode.delete(FREE),
        Untyped.retype(UT13, ObjType.Notification, 0, CNODE, 0, 0, FREE + 1, 1),
      ]);
      expect(rootSlot(reset.state, FREE + 1)).toMatchObject({ _tag: 'NotificationCap', ptr: BASE13 });
      expect(getObject(reset.state, BASE13)?._tag).toBe('Notification');
      expect(rootSlot(reset.state, UT13)).toMatchObject({ freeIndex: 16 });
    });

    it('creates up to 256 objects in one call', () => {
      const { state, outcomes } = run([Untyped.retype(untypedSlot(17), ObjType.Endpoint, 0, CNODE, 0, 0, FREE, 256)]);
      expect(outcomes[0]?.result).toBe('ok');
      expect(rootSlot(state, FREE + 255)).toMatchObject({ _tag: 'EndpointCap', ptr: untypedBase(17) + 255 * 16 });
    });

    it('retypes device untyped into device frames and device untypeds', () => {
      const dev = untypedSlot(20, true);
      const { state } = run([Untyped.retype(dev, ObjType.SmallPage, 0, CNODE, 0, 0, FREE, 1), Untyped.retype(dev, ObjType.Untyped, 12, CNODE, 0, 0, FREE + 1, 1)]);
      expect(rootSlot(state, FREE)).toMatchObject({ _tag: 'FrameCap', isDevice: true });
      expect(rootSlot(state, FREE + 1)).toMatchObject({ _tag: 'UntypedCap', isDevice: true, blockSize: 12 });
    });

    it('puts objects into a CNode named through a slot (node_index and node_depth)', () => {
      const { state } = run([Untyped.retype(UT13, ObjType.CapTable, 2, CNODE, 0, 0, FREE, 1), Untyped.retype(UT13, ObjType.Endpoint, 0, CNODE, FREE, 32, 3, 1)]);
      const cnode = rootSlot(state, FREE);
      if (cnode._tag !== 'CNodeCap') throw new Error('no CNode');
      expect(state.caps.get(cnode.ptr + 3 * 16)?._tag).toBe('EndpointCap');
    });

    it('makes the parent of a copied untyped full, so only the copy allocates', () => {
      const { state } = run([CNode.copy(FREE, UT13, AllRights), Untyped.retype(UT13, ObjType.Endpoint, 0, CNODE, 0, 0, FREE + 1, 1)]);
      expect(rootSlot(state, UT13)).toMatchObject({ freeIndex: 2 ** 13 });
      expect(replyOf(state)).toMatchObject({ label: 10, words: [0] });
    });
  });

  describe('Untyped_Retype errors, in seL4 order', () => {
    const cases: Array<[string, Event, { label: number; words: number[] }]> = [
      ['a label other than UntypedRetype is IllegalOperation', invoke(UT13, 'CNodeCopy', [2, 0, 0, 0, FREE, 1], [CNODE]), { label: 3, words: [] }],
      ['fewer than six arguments is TruncatedMessage', invoke(UT13, 'UntypedRetype', [2, 0, 0, 0, FREE], [CNODE]), { label: 7, words: [] }],
      ['no root cap is TruncatedMessage', invoke(UT13, 'UntypedRetype', [2, 0, 0, 0, FREE, 1]), { label: 7, words: [] }],
      ['type 11 is InvalidArgument 0', Untyped.retype(UT13, 11, 0, CNODE, 0, 0, FREE, 1), { label: 1, words: [0] }],
      ['size_bits 32 is RangeError 0..29', Untyped.retype(UT13, ObjType.Endpoint, 32, CNODE, 0, 0, FREE, 1), { label: 4, words: [0, 29] }],
      ['a CNode of radix 26 (2^30 bytes) is RangeError 0..29', Untyped.retype(UT13, ObjType.CapTable, 26, CNODE, 0, 0, FREE, 1), { label: 4, words: [0, 29] }],
      ['a CNode of radix 0 is InvalidArgument 1', Untyped.retype(UT13, ObjType.CapTable, 0, CNODE, 0, 0, FREE, 1), { label: 1, words: [1] }],
      ['an untyped below 16 bytes is InvalidArgument 1', Untyped.retype(UT13, ObjType.Untyped, 3, CNODE, 0, 0, FREE, 1), { label: 1, words: [1] }],
      [
        'a destination lookup that fails is FailedLookup (target side) with the lookup failure',
        Untyped.retype(UT13, ObjType.Endpoint, 0, CNODE, 0, 1, FREE, 1),
        { label: 6, words: [0, 4, 1, 0, 20] },
      ],
      [
        'a destination slot without a CNode cap is FailedLookup MissingCapability(node_depth)',
        Untyped.retype(UT13, ObjType.Endpoint, 0, CNODE, 1, 32, FREE, 1),
        { label: 6, words: [0, 2, 32] },
      ],
      ['an offset past the CNode is RangeError 0..size-1', Untyped.retype(UT13, ObjType.Endpoint, 0, CNODE, 0, 0, 4096, 1), { label: 4, words: [0, 4095] }],
      ['zero objects is RangeError 1..256', Untyped.retype(UT13, ObjType.Endpoint, 0, CNODE, 0, 0, FREE, 0), { label: 4, words: [1, 256] }],
      ['257 objects is RangeError 1..256', Untyped.retype(UT13, ObjType.Endpoint, 0, CNODE, 0, 0, FREE, 257), { label: 4, words: [1, 256] }],
      ['more objects than slots after the offset is RangeError 1..(size-offset)', Untyped.retype(UT13, ObjType.Endpoint, 0, CNODE, 0, 0, 4094, 3), { label: 4, words: [1, 2] }],
      ['an occupied destination slot is DeleteFirst', Untyped.retype(UT13, ObjType.Endpoint, 0, CNODE, 0, 0, 1, 1), { label: 8, words: [] }],
      ['too little free memory is NotEnoughMemory with the free bytes', Untyped.retype(untypedSlot(9), ObjType.TCB, 0, CNODE, 0, 0, FREE, 2), { label: 10, words: [512] }],
      ['an object larger than the untyped is NotEnoughMemory', Untyped.retype(untypedSlot(9), ObjType.PageTable, 0, CNODE, 0, 0, FREE, 1), { label: 10, words: [512] }],
      ['a kernel object from device memory is InvalidArgument 1', Untyped.retype(untypedSlot(20, true), ObjType.Endpoint, 0, CNODE, 0, 0, FREE, 1), { label: 1, words: [1] }],
      ['the length is checked before the type', invoke(UT13, 'UntypedRetype', [11, 0, 0, 0, FREE], [CNODE]), { label: 7, words: [] }],
      ['an occupied slot is found before the memory runs out', Untyped.retype(untypedSlot(9), ObjType.TCB, 0, CNODE, 0, 0, 1, 2), { label: 8, words: [] }],
    ];
    it.each(cases)('%s', (_name, event, expected) => {
      const { state, outcomes } = run([event]);
      expect(replyOf(state)).toMatchObject({ label: expected.label, length: expected.words.length, words: expected.words, badge: 0 });
      expect(outcomes[0]?.result).not.toBe('ok');
      expect(rootSlot(state, FREE)._tag).toBe('NullCap');
    });

    it('drops the error silently for NBSend, leaving the registers as the caller set them', () => {
      const { state } = run([invoke(UT13, 'UntypedRetype', [11, 0, 0, 0, FREE, 1], [CNODE], SysNBSend)]);
      expect(replyOf(state).label).toBe(1 /* UntypedRetype, the caller's own info */);
      expect(replyOf(state).words.slice(0, 4)).toEqual([11, 0, 0, 0]);
    });
  });

  it('leaves the root CNode where boot put it', () => {
    const { state } = run([]);
    expect(getObject(state, ROOT_CNODE_PTR)).toEqual({ _tag: 'CNode', radix: 12 });
  });
});
