// Autoscale: each channel drawn relative to its own noise, so quiet and noisy sites read alike.

export class NoiseScale {
  /** Each channel is drawn relative to its own noise (median|x|/0.6745). */
  normalized = $state(false);
  /** The median channel's σ (µV) when normalising: lanes are then so many σ, not one µV scale. */
  medianNoiseUv = $state(0);
  /** Each channel's display factor: the median σ over its own. */
  #factors: Float32Array | null = null;

  /** One µV scale again. */
  off(): void {
    this.normalized = false;
    this.#factors = null;
  }

  /** The factors for a source of `channels` channels, when normalising it. */
  factorsFor(channels: number): Float32Array | null {
    return this.#factors?.length === channels ? this.#factors : null;
  }

  /**
   * Normalises to each channel's σ (MAD, so spikes don't inflate it): every channel scaled to the
   * median σ, a flat (dead) channel keeping factor 1. Returns the factors, or null when every
   * channel is flat (nothing changes then).
   */
  fromNoise(noiseUv: Float64Array): Float32Array | null {
    const live = Array.from(noiseUv).filter((s) => s > 0).sort((x, y) => x - y);
    if (!live.length) return null;
    const median = live[live.length >> 1];
    this.#factors = Float32Array.from(noiseUv, (s) => (s > 0 ? median / s : 1));
    this.medianNoiseUv = median;
    this.normalized = true;
    return this.#factors;
  }
}
