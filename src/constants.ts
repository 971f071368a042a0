// Numbers shared with the wasm core. Must match assembly/constants.ts.

/** An id is gen * 2^26 + slot; `id & SLOT_MASK` is its slot. */
export const SLOT_MASK = (1 << 26) - 1;
/** The wheel's horizon in ms: 2^36 - 1 (about 2.2 years). Longer delays are clamped to it. */
export const HORIZON = 2 ** 36 - 1;
/** Entry states, as in assembly/constants.ts. */
export const ST_FREE = 0;
export const ST_EMITTED = 6;
/** Handed out and done with (ran, or was cancelled): its id is no longer pending. */
export const ST_EMITTED_DEAD = 7;
/** The state of entry `slot` is bits 24..26 of its word B: u32 word `core._stateBase + slot`. */
export const STATE_SHIFT = 24;
/** Node's setTimeout limit; the façade honours longer delays up to HORIZON instead of wrapping them. */
export const TIMEOUT_MAX = 2 ** 31 - 1;
/** Façade delays are remembered (for refresh) as whole ms in the core's D array; this marks "see the driver's map". */
export const BIG_DELAY = 0xffff_ffff;
/** Generation bits of an entry's word B (its low 24 bits). */
export const GEN_MASK = (1 << 24) - 1;
/** Sequence numbers are 25 bits: 21 at the top of word A's high half, 4 at the top of word B. */
export const SEQ_LIMIT = 2 ** 25 - 1;
export const SEQ_LO_BITS = 21;
/**
 * Ticks are 43 bits (assembly/constants.ts): the driver's clock stops here, 2^43 - 2^37 ms
 * (about 274 years), so that a deadline clamped to now + HORIZON still fits.
 */
export const CLOCK_LIMIT = 2 ** 43 - 2 ** 37;
/** The LIVE state (fixed tick, in a list). */
export const ST_LIVE = 3;
/** Slots per crossing of the IN and OUT windows. */
export const WINDOW = 1024;
