/**
 * Notifications: a word of badge bits that Signal ORs into and Wait collects,
 * a FIFO of waiting threads, and an optional bound thread that a signal wakes
 * even while it waits on an endpoint.
 *
 * seL4: Haskell Object/Notification.lhs; abstract spec Ipc_A.thy (send_signal,
 * receive_signal, complete_signal); C src/object/notification.c.
 */
import { pipe } from 'fp-ts/function';
import { BADGE_REGISTER } from '../api/registers';
import { kernelAssert } from '../model/assert';
import { type Transition, getNotification, setNotification } from '../model/heap';
import type { Cap, PPtr } from '../model/structures';
import { running } from '../model/structures';
import { getThreadState, possibleSwitchTo, setRegister, setThreadState } from '../kernel/thread';
import { cancelIPC, setNotificationBinding } from './ipcCancel';

/**
 * `sendSignal`: wake the first waiter with the badge; else wake the bound
 * thread if it is blocked receiving on an endpoint; else accumulate the badge.
 */
export const sendSignal =
  (ntfnPtr: PPtr, badge: number): Transition =>
  (s) => {
    const ntfn = getNotification(s, ntfnPtr);
    switch (ntfn.state._tag) {
      case 'IdleNtfn': {
        const t = ntfn.boundTCB;
        if (t !== null && getThreadState(s, t)._tag === 'BlockedOnReceive')
          return pipe(s, cancelIPC(t), setThreadState(running, t), setRegister(t, BADGE_REGISTER, badge), possibleSwitchTo(t));
        return setNotification(ntfnPtr, { ...ntfn, state: { _tag: 'ActiveNtfn', badge } })(s);
      }
      case 'WaitingNtfn': {
        const [dest, ...rest] = ntfn.state.queue;
        kernelAssert(dest !== undefined, 'waiting notification with an empty queue');
        return pipe(
          s,
          setNotification(ntfnPtr, { ...ntfn, state: rest.length === 0 ? { _tag: 'IdleNtfn' } : { _tag: 'WaitingNtfn', queue: rest } }),
          setThreadState(running, dest),
          setRegister(dest, BADGE_REGISTER, badge),
          possibleSwitchTo(dest),
        );
      }
      case 'ActiveNtfn':
        return setNotification(ntfnPtr, { ...ntfn, state: { _tag: 'ActiveNtfn', badge: (ntfn.state.badge | badge) >>> 0 } })(s);
    }
  };

/** `receiveSignal`: collect the accumulated badge, or wait (or, polling, get badge 0). */
export const receiveSignal =
  (t: PPtr, cap: Cap, blocking: boolean): Transition =>
  (s) => {
    kernelAssert(cap._tag === 'NotificationCap', 'receiveSignal: not a notification cap');
    const ntfnPtr = cap.ptr;
    const ntfn = getNotification(s, ntfnPtr);
    switch (ntfn.state._tag) {
      case 'IdleNtfn':
      case 'WaitingNtfn': {
        if (!blocking) return setRegister(t, BADGE_REGISTER, 0)(s);
        const queue = ntfn.state._tag === 'WaitingNtfn' ? [...ntfn.state.queue, t] : [t];
        return pipe(s, setThreadState({ _tag: 'BlockedOnNotification', ntfn: ntfnPtr }, t), setNotification(ntfnPtr, { ...ntfn, state: { _tag: 'WaitingNtfn', queue } }));
      }
      case 'ActiveNtfn':
        return pipe(s, setRegister(t, BADGE_REGISTER, ntfn.state.badge), setNotification(ntfnPtr, { ...ntfn, state: { _tag: 'IdleNtfn' } }));
    }
  };

/** `completeSignal`: a Recv on an endpoint consumes the bound notification's badge instead. */
export const completeSignal =
  (ntfnPtr: PPtr, t: PPtr): Transition =>
  (s) => {
    const ntfn = getNotification(s, ntfnPtr);
    kernelAssert(ntfn.state._tag === 'ActiveNtfn', 'completeSignal: notification is not active');
    return pipe(s, setRegister(t, BADGE_REGISTER, ntfn.state.badge), setNotification(ntfnPtr, { ...ntfn, state: { _tag: 'IdleNtfn' } }));
  };

/** `bindNotification`: link the thread and the notification both ways. */
export const bindNotification = (t: PPtr, ntfnPtr: PPtr): Transition => setNotificationBinding(ntfnPtr, t, true);
