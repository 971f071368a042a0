// Every number that both sides of the boundary must agree on lives here.
// src/constants.ts mirrors the ones JS needs and says "must match assembly/constants.ts".

/** Levels in the wheel and slots per level (Tokio's shape: 6 × 64). */
export const LEVELS: u32 = 6;
export const SLOT_BITS: u32 = 6;
export const SLOTS: u32 = 1 << SLOT_BITS; // 64
export const SLOT_MASK: u64 = <u64>SLOTS - 1;

/** The wheel's reach in ticks (1 tick = 1 ms): 64^6 - 1 = 2^36 - 1 ms, about 2.2 years. */
export const HORIZON: u64 = (<u64>1 << (SLOT_BITS * LEVELS)) - 1;

/** Wheel slot lists are numbered level * 64 + slot; two more lists follow them. */
export const WHEEL_LISTS: u32 = LEVELS * SLOTS; // 384
/** Entries armed for a tick the wheel has already reached; they fire in the next pass. */
export const DEFERRED: u32 = WHEEL_LISTS; // 384
/** Entries of the tick being processed, waiting for room in the output window. */
export const DUE: u32 = WHEEL_LISTS + 1; // 385
export const LIST_COUNT: u32 = WHEEL_LISTS + 2;

/** The sentinel for "no entry" in every link. */
export const NIL: u32 = 0xffff_ffff;

/** Bytes per entry of the slab (see entry.ts for the layout). */
export const ENTRY_BYTES: u32 = 20;

/** An id is gen * 2^SLOT_ID_BITS + slot. Slots therefore stop at 2^26 (67 M timers). */
export const SLOT_ID_BITS: u32 = 26;
export const MAX_ENTRIES: u32 = 1 << SLOT_ID_BITS;
export const GEN_BITS: u32 = 24;
export const GEN_MASK: u32 = (1 << GEN_BITS) - 1;

/**
 * Ticks are stored in 43 bits (2^43 ms is 278 years). The driver keeps its clock below
 * 2^43 - 2^37 ms, so that even a deadline clamped to now + HORIZON still fits.
 */
export const TICK_BITS: u32 = 43;
export const TICK_MASK: u64 = (<u64>1 << TICK_BITS) - 1;

/**
 * Sequence numbers order entries of one tick: 21 bits above the tick in word A and 4 at the
 * top of word B, 25 in all. JS renumbers live entries before they run out (src/driver.ts).
 */
export const SEQ_LO_BITS: u32 = 64 - TICK_BITS; // 21
export const SEQ_BITS: u32 = SEQ_LO_BITS + 4;
export const SEQ_MAX: u32 = (1 << SEQ_BITS) - 1;

/** Entry states (3 bits). */
export const ST_FREE: u32 = 0; //       on the free list
export const ST_QUEUED: u32 = 1; //     armed, deadline not fixed yet (word A holds the encoded delay)
export const ST_QUEUED_DEAD: u32 = 2; // cancelled while queued; the next flush frees it
export const ST_LIVE: u32 = 3; //       in a list (wheel slot, DEFERRED or DUE) with a fixed tick
export const ST_REFRESHING: u32 = 4; // in a list, re-armed; word A holds the encoded delay until the flush
export const ST_DEAD: u32 = 5; //       cancelled while in a list; reaped when its list is processed or swept
export const ST_EMITTED: u32 = 6; //    handed to JS in the output window, callback not run yet
export const ST_EMITTED_DEAD: u32 = 7; // cancelled after it was handed to JS; never runs

/** Entries handed across the boundary per call, in each direction. */
export const WINDOW: u32 = 1024;
