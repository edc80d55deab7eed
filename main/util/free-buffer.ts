// Large buffers given back when their owner is done with them. An ArrayBuffer no longer referenced
// is freed only when V8's garbage collector next runs, which for a few large buffers and little else
// allocated can be minutes: a replaced live view then held two histories, a closed recording the
// windows it last processed. Detaching the buffer (ES2024 transfer) frees its memory at once.

/** Frees `buffer`'s memory now; every view of it reads as empty afterwards. The engine must not be using it. */
export function freeBuffer(buffer: ArrayBufferLike | null | undefined): void {
  const b = buffer as (ArrayBuffer & { transfer?: (length: number) => ArrayBuffer }) | null | undefined;
  // Where transfer is missing (an older runtime), the collector frees it as before.
  if (b && !(b instanceof SharedArrayBuffer) && typeof b.transfer === 'function' && b.byteLength > 0) b.transfer(0);
}
