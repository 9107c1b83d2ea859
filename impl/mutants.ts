/**
 * Deliberately broken variants of the concrete kernel: each is a realistic bug
 * (the kind a C kernel developer could write), switched on by name. Every
 * checker is shown to bite by catching them (test/mutants.test.ts).
 */

export interface Mutant {
  readonly name: string;
  /** What the bug is, in one line. */
  readonly description: string;
  /** Which checker must catch it. */
  readonly checker: 'refinement' | 'fastpath' | 'integrity' | 'confidentiality';
}

export const MUTANTS = [
  { name: 'lookup-ignores-guard', description: 'CSpace lookup skips the guard comparison (only the guard size is checked)', checker: 'refinement' },
  { name: 'mint-keeps-old-badge', description: 'Mint of an already-badged cap succeeds and keeps the old badge instead of failing', checker: 'refinement' },
  { name: 'move-leaves-stale-mdb-link', description: "cteMove does not repoint the previous MDB entry's next link at the destination", checker: 'refinement' },
  { name: 'revoke-misses-grandchildren', description: "revoke assumes deleting a child removes the child's descendants and skips past them", checker: 'refinement' },
  { name: 'copy-marked-revocable', description: 'cteInsert marks every new cap revocable, so copies become parents of later copies', checker: 'refinement' },
  { name: 'rotate-swaps-badges', description: 'Rotate applies the pivot data word to the source cap and vice versa', checker: 'refinement' },
  { name: 'delete-drops-first-badged', description: 'emptySlot does not pass the first-badged mark on to the next MDB entry', checker: 'refinement' },
  { name: 'retype-ignores-alignment', description: 'Retype places objects at the free index without aligning it to the object size', checker: 'refinement' },
  { name: 'reset-skips-zeroing', description: 'resetting an untyped lowers the watermark without zeroing the memory', checker: 'refinement' },
  { name: 'badge-not-delivered', description: "a message transfer leaves 0 in the receiver's badge register", checker: 'refinement' },
  { name: 'reply-cap-reusable', description: 'a reply does not consume the reply cap, so it can be used again', checker: 'refinement' },
  { name: 'nbsend-blocks', description: 'NBSend to an endpoint without a waiting receiver blocks the sender', checker: 'refinement' },
  { name: 'bitmap-l1-left-set', description: 'dequeuing the last thread of a priority group leaves its L1 bitmap bit set', checker: 'refinement' },
  { name: 'queue-tail-not-updated', description: "removing the last thread of an endpoint queue leaves the queue's tail pointing at it", checker: 'refinement' },
  { name: 'signal-overwrites-badge', description: 'Signal on an active notification replaces the badge word instead of ORing into it', checker: 'refinement' },
  { name: 'switch-compares-wrong-way', description: 'a thread woken by IPC is checked for priority the wrong way round before switching to it directly', checker: 'refinement' },
  { name: 'timeslice-not-refilled', description: 'a thread whose time slice ran out goes to the back of its queue without a fresh slice', checker: 'refinement' },
  { name: 'cancel-leaves-thread-linked', description: 'cancelling a blocked IPC does not unlink the thread from the endpoint queue', checker: 'refinement' },
  { name: 'fastpath-badge-dropped', description: "the Call fastpath returns 0 in the receiver's badge register, as its reply twin does", checker: 'fastpath' },
  { name: 'fastpath-ignores-dest-priority', description: 'the Call fastpath switches to the receiver even when it is lower priority than a ready thread', checker: 'fastpath' },
  { name: 'fastpath-ignores-dest-domain', description: 'the Call fastpath switches to a receiver in another scheduling domain', checker: 'fastpath' },
  { name: 'fastpath-accepts-extra-caps', description: 'the fastpath message-info check masks only the length field, so messages with extra caps take the fastpath', checker: 'fastpath' },
  { name: 'fastpath-reply-grant-from-ep', description: "the Call fastpath takes the reply cap's grant right from the endpoint cap instead of the receiver's blocking state", checker: 'fastpath' },
  { name: 'fastpath-dequeue-keeps-prev', description: "the Call fastpath dequeues the receiver without clearing the new queue head's back link", checker: 'fastpath' },
  { name: 'fastpath-ignores-receive-right', description: 'the ReplyRecv fastpath checks the cap is an endpoint but not that it may receive', checker: 'fastpath' },
  { name: 'fastpath-ignores-bound-notification', description: 'the ReplyRecv fastpath blocks the thread although its bound notification has a pending signal', checker: 'fastpath' },
  { name: 'fastpath-reply-cap-kept', description: 'the ReplyRecv fastpath does not delete the used reply cap from the caller slot', checker: 'fastpath' },
  { name: 'fastpath-reply-node-first-badged', description: "the Call fastpath marks the new reply cap's MDB node first-badged, as it marks the master's (only the fast/slow concrete comparison sees it)", checker: 'fastpath' },
  { name: 'fastpath-master-next-kept', description: "the ReplyRecv fastpath empties the caller slot but leaves the reply master's MDB next pointing at it", checker: 'fastpath' },
  // The blind spots closed by the concrete kernel's own ABI decoders, the reply_mdb representation invariant and bounds checks.
  { name: 'message-length-not-clamped', description: "a message transfer takes the sender's message length raw, without clamping a length above 120", checker: 'refinement' },
  { name: 'rights-word-misread', description: 'Copy and Mint read the rights word with the Read and Write bits swapped', checker: 'refinement' },
  { name: 'range-error-words-swapped', description: "a RangeError reply puts the maximum before the minimum in the caller's message registers", checker: 'refinement' },
  { name: 'reply-cap-under-receiver-master', description: "a Call's reply cap is inserted in the MDB after the receiver's reply master instead of the caller's", checker: 'refinement' },
  { name: 'domain-set-off-by-one', description: 'DomainSet accepts a domain equal to the number of domains (> instead of >=) and enqueues the thread past the ready-queue table', checker: 'refinement' },
] as const satisfies readonly Mutant[];

export type MutantName = (typeof MUTANTS)[number]['name'];

export const MUTANT_NAMES: readonly string[] = MUTANTS.map((m) => m.name);

export const isMutantName = (s: string): s is MutantName => MUTANT_NAMES.includes(s);
