/**
 * Notifications on the packed kernel: the badge word, the waiting queue
 * threaded through TCBs, and the bound thread.
 *
 * seL4: C src/object/notification.c; spec twin: spec/object/notification.ts.
 */
import { BADGE_REGISTER } from '../../spec/api';
import { NTFN_ACTIVE, NTFN_IDLE, NTFN_WAITING, Notification, TS, Tcb, ThreadStateW } from '../model/layout';
import { objGet, objSet, setRegister, tcbSet, threadStateType, tsSet } from '../model/heap';
import type { Kernel } from '../model/state';
import { seam } from '../model/seam';
import { possibleSwitchTo, setThreadState } from '../kernel/thread';
import { cancelIPC } from './ipcCancel';
import { NTFN_QUEUE, getQueue, setQueue, tcbEPAppend, tcbEPDequeue } from './tcbQueue';

const setActive = (k: Kernel, ntfn: number, badge: number): void => {
  objSet(k, ntfn, Notification.state, NTFN_ACTIVE);
  objSet(k, ntfn, Notification.msgIdentifier, badge);
};

export const sendSignal = seam('sendSignal', (k: Kernel, ntfn: number, badge: number): void => {
  switch (objGet(k, ntfn, Notification.state)) {
    case NTFN_IDLE: {
      const t = objGet(k, ntfn, Notification.boundTCB);
      if (t !== 0 && threadStateType(k, t) === TS.BlockedOnReceive) {
        cancelIPC(k, t);
        setThreadState(k, t, TS.Running);
        setRegister(k, t, BADGE_REGISTER, badge);
        possibleSwitchTo(k, t);
      } else {
        setActive(k, ntfn, badge);
      }
      return;
    }
    case NTFN_WAITING: {
      const q = getQueue(k, ntfn, NTFN_QUEUE);
      const dest = q.head;
      const rest = tcbEPDequeue(k, dest, q);
      setQueue(k, ntfn, NTFN_QUEUE, rest);
      if (rest.head === 0) objSet(k, ntfn, Notification.state, NTFN_IDLE);
      setThreadState(k, dest, TS.Running);
      setRegister(k, dest, BADGE_REGISTER, badge);
      possibleSwitchTo(k, dest);
      return;
    }
    default: {
      const old = objGet(k, ntfn, Notification.msgIdentifier);
      objSet(k, ntfn, Notification.msgIdentifier, (old | badge) >>> 0);
      return;
    }
  }
});

export const receiveSignal = (k: Kernel, t: number, ntfn: number, blocking: boolean): void => {
  if (objGet(k, ntfn, Notification.state) === NTFN_ACTIVE) {
    setRegister(k, t, BADGE_REGISTER, objGet(k, ntfn, Notification.msgIdentifier));
    objSet(k, ntfn, Notification.state, NTFN_IDLE);
    return;
  }
  if (!blocking) {
    setRegister(k, t, BADGE_REGISTER, 0);
    return;
  }
  tsSet(k, t, ThreadStateW.blockingObject, ntfn);
  setThreadState(k, t, TS.BlockedOnNotification);
  setQueue(k, ntfn, NTFN_QUEUE, tcbEPAppend(k, t, getQueue(k, ntfn, NTFN_QUEUE)));
  objSet(k, ntfn, Notification.state, NTFN_WAITING);
};

export const completeSignal = (k: Kernel, ntfn: number, t: number): void => {
  setRegister(k, t, BADGE_REGISTER, objGet(k, ntfn, Notification.msgIdentifier));
  objSet(k, ntfn, Notification.state, NTFN_IDLE);
};

export const bindNotification = (k: Kernel, t: number, ntfn: number): void => {
  objSet(k, ntfn, Notification.boundTCB, t);
  tcbSet(k, t, Tcb.boundNotification, ntfn);
};
