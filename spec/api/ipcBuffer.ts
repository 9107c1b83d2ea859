/**
 * Word indices inside the 512-byte IPC buffer (seL4_IPCBuffer).
 *
 * seL4: libsel4/include/sel4/shared_types.h; fact sheet §2.3.
 */
export const IPCBUF_TAG = 0;
/** Message register i lives at word i + 1. */
export const ipcBufferMR = (i: number): number => i + 1;
export const IPCBUF_USER_DATA = 121;
/** caps_or_badges[0..2]: extra-cap cptrs when sending, unwrapped badges when receiving. */
export const IPCBUF_CAPS_OR_BADGES = 122;
export const IPCBUF_RECEIVE_CNODE = 125;
export const IPCBUF_RECEIVE_INDEX = 126;
export const IPCBUF_RECEIVE_DEPTH = 127;
export const IPCBUF_WORDS = 128;
