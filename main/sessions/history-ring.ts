// Processed (and raw) data of a live session: a ring of float32 rows sized by the RAM budget, so a
// lab member can scroll back as far as the budget allows.
import { freeBuffer } from '../util/free-buffer.ts';

export class HistoryRing {
  readonly channels: number;
  readonly capacity: number;
  readonly data: Float32Array;
  /** Absolute index of the next sample to be written. */
  end = 0;
  /** The first sample ever written (a run joined late starts past 0). */
  #first = 0;
  #freed = false;

  constructor(channels: number, capacityRows: number) {
    this.channels = channels;
    this.capacity = Math.max(1, Math.floor(capacityRows));
    this.data = new Float32Array(this.capacity * channels);
  }

  get start(): number {
    return Math.max(this.#first, this.end - this.capacity);
  }

  /** Bytes the rows held take (pages not yet written are not resident). */
  get heldBytes(): number {
    return this.#freed ? 0 : (this.end - this.start) * this.channels * 4;
  }

  /** Gives the memory back now (the session closed); nothing is held or written afterwards. */
  free(): void {
    this.#freed = true;
    freeBuffer(this.data.buffer);
  }

  /**
   * Moves on to absolute sample `sample`: a short gap (a dropped chunk) is zeros, keeping the grid;
   * an empty ring, or a gap longer than it holds, just starts there.
   */
  skipTo(sample: number): void {
    if (sample <= this.end) return;
    if (this.end === this.#first || sample - this.end >= this.capacity) {
      this.end = this.#first = sample;
      return;
    }
    this.push(new Float32Array((sample - this.end) * this.channels));
  }

  push(rows: Float32Array): void {
    if (this.#freed) return;
    const C = this.channels;
    let n = rows.length / C;
    let src = 0;
    if (n > this.capacity) {
      src = (n - this.capacity) * C;
      this.end += n - this.capacity;
      n = this.capacity;
    }
    const pos = this.end % this.capacity;
    const first = Math.min(n, this.capacity - pos);
    this.data.set(rows.subarray(src, src + first * C), pos * C);
    if (first < n) this.data.set(rows.subarray(src + first * C, src + n * C), 0);
    this.end += n;
  }

  /** Replaces rows from absolute sample `a` on; rows outside [start, end) are not written. */
  overwrite(a: number, rows: Float32Array): void {
    const C = this.channels;
    const from = Math.max(a, this.start);
    const to = Math.min(a + rows.length / C, this.end);
    let at = from;
    for (const v of this.views(from, to)) {
      v.set(rows.subarray((at - a) * C, (at - a) * C + v.length));
      at += v.length / C;
    }
  }

  /** Zero-copy views of rows [a, b) (two when the range wraps). */
  views(a: number, b: number): Float32Array[] {
    if (this.#freed || a < this.start || b > this.end || a >= b) return [];
    const C = this.channels;
    const pa = a % this.capacity;
    const n = b - a;
    if (pa + n <= this.capacity) return [this.data.subarray(pa * C, (pa + n) * C)];
    return [this.data.subarray(pa * C), this.data.subarray(0, (pa + n - this.capacity) * C)];
  }
}
