/**
 * The message-info word: label (20 bits), capsUnwrapped (3), extraCaps (2),
 * length (7). Reading it clamps a length above 120 to 120.
 *
 * seL4: libsel4/mode_include/32/sel4/shared_types.bf (seL4_MessageInfo);
 * Haskell API/Types.lhs (messageInfoFromWord / wordFromMessageInfo).
 */
import { MSG_MAX_LENGTH } from './config';

export interface MessageInfo {
  readonly label: number;
  readonly capsUnwrapped: number;
  readonly extraCaps: number;
  readonly length: number;
}

/** Decode with the kernel's clamp (`messageInfoFromWord`). */
export const messageInfoFromWord = (w: number): MessageInfo => {
  const length = w & 0x7f;
  return {
    label: w >>> 12,
    capsUnwrapped: (w >>> 9) & 0x7,
    extraCaps: (w >>> 7) & 0x3,
    length: length > MSG_MAX_LENGTH ? MSG_MAX_LENGTH : length,
  };
};

/** Decode without the clamp: the raw fields, as the fastpath inspects them. */
export const rawMessageInfo = (w: number): MessageInfo => ({
  label: w >>> 12,
  capsUnwrapped: (w >>> 9) & 0x7,
  extraCaps: (w >>> 7) & 0x3,
  length: w & 0x7f,
});

export const wordFromMessageInfo = (mi: MessageInfo): number =>
  (((mi.label & 0xfffff) << 12) | ((mi.capsUnwrapped & 0x7) << 9) | ((mi.extraCaps & 0x3) << 7) | (mi.length & 0x7f)) >>> 0;

/** libsel4's argument order: seL4_MessageInfo_new(label, capsUnwrapped, extraCaps, length). */
export const messageInfo = (label: number, capsUnwrapped: number, extraCaps: number, length: number): number => wordFromMessageInfo({ label, capsUnwrapped, extraCaps, length });
