/**
 * VSpace invocations, as far as the model performs them: a frame's
 * GetAddress and the cache operations on frames and page directories, each
 * check in seL4's order with its error words (C decodeARMFrameInvocation,
 * decodeARMPageDirectoryInvocation). Every scenario runs in lock step, so the
 * concrete kernel answers the same.
 */
import { describe, expect, it } from 'vitest';
import { type Event, InitSlot, LABEL, ROOT_IPC_BUFFER_PTR, ROOT_IPC_BUFFER_VADDR, ROOT_IMAGE_VADDR, SysSend } from '../../../spec/api';
import { AllRights, CNode, ObjectTypeNumber, Untyped, invoke } from '../../../refinement/scenario';
import { FREE, untypedSlot } from '../../helpers/boot';
import { replyOf, run } from '../../helpers/scenario';

const PD = InitSlot.ThreadVSpace;
const BUFFER = InitSlot.ThreadIPCBuffer;
/** The error a Call got back: seL4's error number as the label, and its words. */
const reply = (events: readonly Event[]) => {
  const r = replyOf(run(events).state);
  return { label: r.label, words: r.words };
};
const OK = { label: 0, words: [] };

describe('spec/object/vspace: VSpace invocations', () => {
  describe('Frame GetAddress', () => {
    it("replies with the frame's physical address, one word, badge 0", () => {
      const { state, outcomes } = run([invoke(BUFFER, 'ARMPageGetAddress')]);
      expect(replyOf(state)).toEqual({ badge: 0, label: 0, length: 1, words: [ROOT_IPC_BUFFER_PTR] });
      expect(outcomes).toEqual([{ kind: 'Call', target: 'ARMPageGetAddress', result: 'ok' }]);
    });
    it('takes an unmapped copy of the frame cap too, and a Send gets no reply', () => {
      expect(reply([CNode.copy(FREE, BUFFER, AllRights), invoke(FREE, 'ARMPageGetAddress')])).toEqual({ label: 0, words: [ROOT_IPC_BUFFER_PTR] });
      const sent = run([invoke(BUFFER, 'ARMPageGetAddress', [], [], SysSend)]).state;
      // r0 and r1 still hold what the thread wrote for the Send (the cptr, the message info): no reply was written.
      expect(replyOf(sent)).toMatchObject({ badge: BUFFER, label: LABEL.ARMPageGetAddress, length: 0 });
    });
  });

  describe('Frame cache operations', () => {
    const flushes = ['ARMPageClean_Data', 'ARMPageInvalidate_Data', 'ARMPageCleanInvalidate_Data', 'ARMPageUnify_Instruction'] as const;
    for (const op of flushes)
      it(`${op}: a range inside the mapped frame succeeds with an empty reply; each check in order`, () => {
        expect(reply([invoke(BUFFER, op, [0, 0x1000])])).toEqual(OK);
        expect(reply([invoke(BUFFER, op, [0x10, 0x20])])).toEqual(OK);
        // 1. fewer than two words
        expect(reply([invoke(BUFFER, op, [0])])).toEqual({ label: 7, words: [] });
        // 2. an unmapped frame cap (a copy is unmapped)
        expect(reply([CNode.copy(FREE, BUFFER, AllRights), invoke(FREE, op, [0, 4])])).toEqual({ label: 3, words: [] });
        // 3. its ASID no longer names a page directory (the pool is gone): FailedLookup, not the source, InvalidRoot
        expect(reply([CNode.delete(InitSlot.ThreadASIDPool), invoke(BUFFER, op, [0, 4])])).toEqual({ label: 6, words: [0, 1] });
        // 4. an empty or backwards range is argument 1; checked before the range's size
        expect(reply([invoke(BUFFER, op, [8, 8])])).toEqual({ label: 1, words: [1] });
        expect(reply([invoke(BUFFER, op, [0x2000, 8])])).toEqual({ label: 1, words: [1] });
        // 5. a range past the frame's end is argument 0
        expect(reply([invoke(BUFFER, op, [0x1000, 0x1001])])).toEqual({ label: 1, words: [0] });
        expect(reply([invoke(BUFFER, op, [0, 0x1001])])).toEqual({ label: 1, words: [0] });
      });
  });

  describe('Page directory cache operations', () => {
    const flushes = ['ARMPDClean_Data', 'ARMPDInvalidate_Data', 'ARMPDCleanInvalidate_Data', 'ARMPDUnify_Instruction'] as const;
    const inBuffer = ROOT_IPC_BUFFER_VADDR;
    for (const op of flushes)
      it(`${op}: a range within one mapped page succeeds; an unmapped start succeeds silently; each check in order`, () => {
        expect(reply([invoke(PD, op, [inBuffer, inBuffer + 0x1000])])).toEqual(OK);
        expect(reply([invoke(PD, op, [0x5000_0000, 0x5000_0100])])).toEqual(OK);
        // 1. fewer than two words
        expect(reply([invoke(PD, op, [inBuffer])])).toEqual({ label: 7, words: [] });
        // 2. an empty or backwards range: argument 1
        expect(reply([invoke(PD, op, [inBuffer, inBuffer])])).toEqual({ label: 1, words: [1] });
        // 3. into the kernel window (0xF0000000 up): IllegalOperation, before the cap is looked at
        expect(reply([invoke(PD, op, [0xeff0_0000, 0xf000_0001])])).toEqual({ label: 3, words: [] });
        expect(reply([invoke(PD, op, [0xf000_0000, 0xf000_0010])])).toEqual({ label: 3, words: [] });
        // 4. a PD cap without an ASID (a new page directory's; a copy of an assigned one keeps its ASID)
        expect(
          reply([Untyped.retype(untypedSlot(21), ObjectTypeNumber.PageDirectory, 0, InitSlot.ThreadCNode, 0, 0, FREE, 1), invoke(FREE, op, [inBuffer, inBuffer + 4])]),
        ).toEqual({ label: 2, words: [0] });
        expect(reply([CNode.copy(FREE, PD, AllRights), invoke(FREE, op, [inBuffer, inBuffer + 4])])).toEqual(OK);
        // 5. the ASID names no page directory any more
        expect(reply([CNode.delete(InitSlot.ThreadASIDPool), invoke(PD, op, [inBuffer, inBuffer + 4])])).toEqual({ label: 6, words: [0, 1] });
        // 6. a range across the page's end: RangeError(start, the page's last byte)
        expect(reply([invoke(PD, op, [inBuffer + 0xff0, inBuffer + 0x1010])])).toEqual({ label: 4, words: [inBuffer + 0xff0, inBuffer + 0xfff] });
        // The image's pages are mapped too: a range in one of them succeeds.
        expect(reply([invoke(PD, op, [ROOT_IMAGE_VADDR, ROOT_IMAGE_VADDR + 8])])).toEqual(OK);
      });
  });

  describe('labels a VSpace cap does not take, and what is not modelled yet', () => {
    it('every other label on a frame, page table, page directory, ASID control or pool cap is IllegalOperation', () => {
      const caps = [BUFFER, PD, InitSlot.UserImagePaging, InitSlot.ASIDControl, InitSlot.ThreadASIDPool];
      for (const cap of caps)
        for (const label of [LABEL.CNodeCopy, LABEL.TCBSuspend, LABEL.InvalidInvocation, 60]) expect(reply([invoke(cap, label, [0, 0])])).toEqual({ label: 3, words: [] });
      expect(reply([invoke(BUFFER, 'ARMPDClean_Data', [0, 4])])).toEqual({ label: 3, words: [] });
      expect(reply([invoke(PD, 'ARMPageClean_Data', [0, 4])])).toEqual({ label: 3, words: [] });
      expect(reply([invoke(InitSlot.UserImagePaging, 'ARMPageGetAddress')])).toEqual({ label: 3, words: [] });
    });
    it('Map, Unmap, MakePool and Assign are refused as not modelled (in both kernels alike)', () => {
      const cases: Array<[number, string]> = [
        [BUFFER, 'ARMPageMap'],
        [BUFFER, 'ARMPageUnmap'],
        [InitSlot.UserImagePaging, 'ARMPageTableMap'],
        [InitSlot.UserImagePaging, 'ARMPageTableUnmap'],
        [InitSlot.ASIDControl, 'ARMASIDControlMakePool'],
        [InitSlot.ThreadASIDPool, 'ARMASIDPoolAssign'],
      ];
      for (const [cap, label] of cases) expect(run([invoke(cap, label as never, [0, 0])]).outcomes[0]?.result).toBe('NotModelled');
    });
  });
});
