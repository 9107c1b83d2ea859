/**
 * Why the IPC fastpath gives up: for every attempt that goes to the slow path,
 * the first precondition that failed, named after the check. The list is
 * complete and in the order the checks run, so a report can show the ones
 * never met (the counting is the checker's: properties/fastpathStats.ts).
 */

/** The checks both fastpaths make first: the message-info word, the current thread, the cap. */
const SHARED_REASONS = ['message-too-long', 'extra-caps', 'thread-has-fault', 'cap-not-endpoint'] as const;

/** fastpath_call's own checks, in the order they run. */
const CALL_REASONS = ['no-send-right', 'endpoint-not-receiving', 'dest-vspace-invalid', 'dest-lower-priority', 'no-grant-right', 'dest-asid-invalid', 'dest-other-domain'] as const;

/** fastpath_reply_recv's own checks, in the order they run. */
const REPLY_RECV_REASONS = [
  'not-receive-right',
  'bound-notification-active',
  'endpoint-has-senders',
  'no-reply-cap',
  'caller-has-fault',
  'caller-vspace-invalid',
  'caller-not-highest-priority',
  'caller-asid-invalid',
  'caller-other-domain',
] as const;

/** Every reason the fastpath gives up, in the order its checks run (shared checks first). */
export const FALLBACK_REASONS = [...SHARED_REASONS, ...CALL_REASONS, ...REPLY_RECV_REASONS] as const;

export type FallbackReason = (typeof FALLBACK_REASONS)[number];

/** The reasons each fastpath can give (the shared four belong to both). */
export const CALL_FALLBACK_REASONS: readonly FallbackReason[] = [...SHARED_REASONS, ...CALL_REASONS];
export const REPLY_RECV_FALLBACK_REASONS: readonly FallbackReason[] = [...SHARED_REASONS, ...REPLY_RECV_REASONS];

export type FastpathSyscall = 'Call' | 'ReplyRecv';
