/**
 * The generator's side of a run: its short memory of recently used slots, and
 * the role each thread it spawned plays (serve an endpoint, call it, wait on a
 * notification, handle faults...). Roles only bias what a thread does when it
 * is current; the kernel knows nothing of them.
 */
import type { PPtr } from '../../spec/model/structures';
import { Focus } from './focus';

export type RoleKind = 'server' | 'client' | 'waiter' | 'notifier' | 'handler' | 'faulter' | 'wanderer';

export interface Role {
  readonly kind: RoleKind;
  /** The cptr, in the thread's own CSpace, of the endpoint or notification the role is about. */
  readonly cptr: number;
}

export class World {
  readonly focus = new Focus();
  readonly roles = new Map<PPtr, Role>();
  /** Threads spawned so far (their IPC buffers take turns in the root task's buffer frame). */
  spawned = 0;
  /** Consecutive ticks with only the idle thread to run. */
  idleTicks = 0;
}
