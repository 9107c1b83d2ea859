/**
 * Object types for Untyped_Retype and their sizes on ARM32 (no FPU, no hyp).
 *
 * seL4: libsel4 objecttype.h (+ aarch32/arm variants); Haskell
 * API/Types/Universal.lhs, API/Types/ARM.lhs; src/arch/arm/32/object/objecttype.c.
 */
import {
  ENDPOINT_BITS,
  LARGE_PAGE_BITS,
  NOTIFICATION_BITS,
  PAGE_BITS,
  PAGE_DIRECTORY_BITS,
  PAGE_TABLE_BITS,
  SECTION_BITS,
  SLOT_BITS,
  SUPER_SECTION_BITS,
  TCB_BITS,
} from './config';

export const ObjectTypeNumber = {
  Untyped: 0,
  TCB: 1,
  Endpoint: 2,
  Notification: 3,
  CapTable: 4,
  PageDirectory: 5,
  SmallPage: 6,
  LargePage: 7,
  Section: 8,
  SuperSection: 9,
  PageTable: 10,
} as const;

export type ObjectType = keyof typeof ObjectTypeNumber;
export const OBJECT_TYPE_COUNT = 11;

export const OBJECT_TYPES: readonly ObjectType[] = [
  'Untyped',
  'TCB',
  'Endpoint',
  'Notification',
  'CapTable',
  'PageDirectory',
  'SmallPage',
  'LargePage',
  'Section',
  'SuperSection',
  'PageTable',
];

/** The object type a Retype argument names, or null for an unknown number. */
export const objectTypeOf = (n: number): ObjectType | null => OBJECT_TYPES[n] ?? null;

export const isFrameType = (t: ObjectType): boolean => t === 'SmallPage' || t === 'LargePage' || t === 'Section' || t === 'SuperSection';

/** Frame sizes ARM32 supports, as log2 bytes. */
export type FrameSizeBits = 12 | 16 | 20 | 24;

export const frameSizeBitsOf = (t: ObjectType): FrameSizeBits | null => {
  switch (t) {
    case 'SmallPage':
      return PAGE_BITS;
    case 'LargePage':
      return LARGE_PAGE_BITS;
    case 'Section':
      return SECTION_BITS;
    case 'SuperSection':
      return SUPER_SECTION_BITS;
    default:
      return null;
  }
};

/**
 * `getObjectSize`: log2 of an object's size in bytes; `userSize` matters for
 * Untyped (the size itself) and CapTable (the radix).
 */
export const getObjectSize = (t: ObjectType, userSize: number): number => {
  switch (t) {
    case 'Untyped':
      return userSize;
    case 'TCB':
      return TCB_BITS;
    case 'Endpoint':
      return ENDPOINT_BITS;
    case 'Notification':
      return NOTIFICATION_BITS;
    case 'CapTable':
      return SLOT_BITS + userSize;
    case 'PageDirectory':
      return PAGE_DIRECTORY_BITS;
    case 'PageTable':
      return PAGE_TABLE_BITS;
    default:
      return frameSizeBitsOf(t) ?? 0;
  }
};
