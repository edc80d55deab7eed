// A deterministic synthetic Neuropixels 1.0 probe: noise, spiking units seen on neighbouring
// channels, LFP, line noise, broadband reference noise shared by all live channels and common-mode
// artefacts (what CMR removes; the shared noise is also what bad-channel detection's coherence
// measure relies on, as on real probes), one dead and one noisy
// channel. Any sample range can be generated on its own (random access), and the same seed always
// gives the same data.
import type { ChannelInfo, SourceInfo } from './source.ts';
import { np1Site } from './spikeglx-meta.ts';

export interface SimulatorSpec {
  seed?: number;
  channels?: number;
  fs?: number;
  lineHz?: 50 | 60;
  /** Length for file-like use; live use ignores it. */
  seconds?: number;
}

/** µV per bit of a Neuropixels 1.0 AP channel (0.6 V range, 10 bits, gain 500) and its LFP channel (gain 250). */
export const NP1_GAIN_UV = 2.34375;
export const NP1_LF_GAIN_UV = 4.6875;
const NOISE_LEN = 1 << 20;
const WAVE_LEN = 48;

/** A small fast PRNG (mulberry32): deterministic across platforms. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hash(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x7f4a7c15, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  return ((h ^ (h >>> 13)) >>> 0) / 4294967296;
}

interface Unit {
  channel: number;
  amplitudeUv: number;
  ratePerBin: number; // probability per 1 ms bin
  weights: Float32Array; // per channel
  first: number;
  last: number;
}

export class Simulator {
  readonly fs: number;
  readonly channelCount: number;
  readonly seed: number;
  readonly deadChannel: number;
  readonly noisyChannel: number;
  readonly lineHz: number;
  /** Common-mode artefacts: one every artefactPeriod samples, artefactLength long. */
  readonly artefactPeriod: number;
  readonly artefactLength: number;
  readonly positions: { x: number; y: number }[];
  #noise: Float32Array;
  #units: Unit[];
  #wave: Float32Array;
  #noiseScale: Float32Array;
  #lfpWeight: Float32Array;
  #commonWeight: Float32Array;
  #uv = new Float32Array(0);

  constructor(spec: SimulatorSpec = {}) {
    this.seed = spec.seed ?? 1;
    this.channelCount = spec.channels ?? 384;
    this.fs = spec.fs ?? 30000;
    this.lineHz = spec.lineHz ?? 50;
    this.artefactPeriod = Math.round(2 * this.fs);
    this.artefactLength = Math.round(0.004 * this.fs);
    const r = rng(this.seed);
    const C = this.channelCount;
    this.positions = Array.from({ length: C }, (_, c) => np1Site(c));
    this.deadChannel = Math.min(C - 1, 191);
    this.noisyChannel = Math.min(C - 1, 77);
    // Gaussian noise table (Box–Muller), ~10 µV RMS.
    this.#noise = new Float32Array(NOISE_LEN);
    for (let i = 0; i < NOISE_LEN; i += 2) {
      const u = Math.max(r(), 1e-12);
      const v = r();
      const m = Math.sqrt(-2 * Math.log(u)) * 10;
      this.#noise[i] = m * Math.cos(2 * Math.PI * v);
      this.#noise[i + 1] = m * Math.sin(2 * Math.PI * v);
    }
    this.#noiseScale = new Float32Array(C).map((_, c) => (c === this.deadChannel ? 0 : c === this.noisyChannel ? 8 : 0.8 + 0.4 * r()));
    this.#lfpWeight = new Float32Array(C).map((_, c) => (c === this.deadChannel ? 0 : 0.5 + this.positions[c].y / 7680));
    this.#commonWeight = new Float32Array(C).map((_, c) => (c === this.deadChannel ? 0 : 1));
    // A biphasic extracellular waveform: sharp trough, slower repolarisation peak.
    this.#wave = new Float32Array(WAVE_LEN).map((_, i) => {
      const t = (i - 12) / this.fs * 1000; // ms
      return -Math.exp(-((t / 0.12) ** 2)) + 0.35 * Math.exp(-(((t - 0.45) / 0.25) ** 2));
    });
    this.#units = Array.from({ length: Math.max(1, Math.round(C / 6)) }, () => {
      const channel = Math.floor(r() * C);
      const p = this.positions[channel];
      const weights = new Float32Array(C).map((_, c) => {
        if (c === this.deadChannel) return 0;
        const d = Math.hypot(this.positions[c].x - p.x, this.positions[c].y - p.y);
        return d > 80 ? 0 : Math.exp(-d / 25);
      });
      let first = C;
      let last = 0;
      weights.forEach((w, c) => {
        if (w > 0) {
          first = Math.min(first, c);
          last = Math.max(last, c);
        }
      });
      return { channel, amplitudeUv: 60 + r() * 240, ratePerBin: (1 + r() * 14) / 1000, weights, first, last };
    });
  }

  /** Whether a common-mode artefact covers sample t. */
  inArtefact(t: number): boolean {
    return t % this.artefactPeriod < this.artefactLength && t >= this.artefactPeriod;
  }

  /** Rows [start, start+n) as int16 in NP1 AP units (2.34375 µV/bit). */
  generate(start: number, n: number): Int16Array {
    const C = this.channelCount;
    // µV before rounding, in a buffer kept between calls: live, a fresh one per 20 ms arrival kept
    // the garbage collector busy.
    if (this.#uv.length < n * C) this.#uv = new Float32Array(n * C);
    const uv = this.#uv;
    const noise = this.#noise;
    // Noise: a walk through the table whose offset depends only on the absolute sample.
    for (let i = 0; i < n; i++) {
      const t = start + i;
      let k = ((t * 7919 + this.seed * 104729) * C) % NOISE_LEN;
      if (k < 0) k += NOISE_LEN;
      k = Math.floor(k) | 0; // an integer index: a float one costs the JIT a conversion per load
      const line = 20 * Math.sin((2 * Math.PI * this.lineHz * t) / this.fs);
      const lfp = 40 * Math.sin((2 * Math.PI * 7 * t) / this.fs) + 25 * Math.sin((2 * Math.PI * 3.1 * t) / this.fs + 1);
      const art = this.inArtefact(t) ? 400 * Math.sin((Math.PI * (t % this.artefactPeriod)) / this.artefactLength) : 0;
      // ~5 µV RMS of white reference noise, from another walk through the table.
      let kr = (t * 104729 + this.seed * 7919) % NOISE_LEN;
      if (kr < 0) kr += NOISE_LEN;
      const shared = noise[Math.floor(kr)] * 0.5;
      const row = i * C;
      const common = line + art + shared;
      const scale = this.#noiseScale;
      const lw = this.#lfpWeight;
      const cw = this.#commonWeight;
      if (k + C <= NOISE_LEN) {
        for (let c = 0; c < C; c++) uv[row + c] = noise[k + c] * scale[c] + lfp * lw[c] + common * cw[c];
      } else {
        for (let c = 0; c < C; c++) uv[row + c] = noise[(k + c) % NOISE_LEN] * scale[c] + lfp * lw[c] + common * cw[c];
      }
    }
    // Spikes: each unit fires in a 1 ms bin with its rate; the bin's hash places it in time.
    const bin = Math.round(this.fs / 1000);
    const firstBin = Math.floor((start - WAVE_LEN) / bin);
    const lastBin = Math.floor((start + n) / bin);
    this.#units.forEach((u, ui) => {
      for (let b = firstBin; b <= lastBin; b++) {
        if (hash(ui * 7 + this.seed, b) >= u.ratePerBin) continue;
        const t0 = b * bin + Math.floor(hash(b, ui + this.seed * 13) * bin);
        for (let j = 0; j < WAVE_LEN; j++) {
          const i = t0 + j - start;
          if (i < 0 || i >= n) continue;
          const a = u.amplitudeUv * this.#wave[j];
          for (let c = u.first; c <= u.last; c++) uv[i * C + c] += a * u.weights[c];
        }
      }
    });
    const out = new Int16Array(n * C);
    const inv = 1 / NP1_GAIN_UV;
    for (let i = 0; i < out.length; i++) {
      const y = uv[i] * inv;
      // Rounded half up as floor(y + 0.5), in integer arithmetic: shifted positive, | 0 truncates
      // (the JIT's fast path into an Int16Array; a float there cost as much as making the noise).
      out[i] = (((y < -32768 ? -32768 : y > 32767 ? 32767 : y) + 32768.5) | 0) - 32768;
    }
    return out;
  }

  describe(seconds: number): Omit<SourceInfo, 'format' | 'path'> {
    const channels: ChannelInfo[] = this.positions.map((p, c) => ({ id: `AP${c}`, index: c, readout: c, x: p.x, y: p.y, shank: 0, gainUv: NP1_GAIN_UV, offsetUv: 0 }));
    const samples = Math.round(seconds * this.fs);
    return {
      stream: 'imec0.ap',
      channels,
      fs: this.fs,
      dtype: 'int16',
      samples,
      durationS: samples / this.fs,
      tStart: 0,
      syncChannel: null,
      live: false,
      probe: { kind: 'np1', partNumber: 'simulated NP1.0' },
      frameChannels: this.channelCount,
      headerBytes: 0,
      wallClockStart: null
    };
  }
}
