// Where a live session's samples come from: the built-in simulator at real-time pace, or a
// recording file still being written (SpikeGLX .bin, whose .meta may only appear at the end).
import { existsSync } from 'node:fs';
import { FileFollower } from '../sources/live-file.ts';
import { NP1_GAIN_UV, Simulator } from '../sources/simulator.ts';
import type { ChannelInfo } from '../sources/source.ts';
import { SourceError } from '../sources/source.ts';
import { describeSpikeGLX, metaPathFor, readMeta } from '../sources/spikeglx.ts';

export interface LiveInput {
  readonly kind: 'simulator' | 'file';
  readonly label: string;
  readonly channels: ChannelInfo[];
  readonly fs: number;
  /** The simulator's artefact/dead/noisy facts, for tests and the demo. */
  readonly simulator?: Simulator;
  start(onRows: (rows: Int16Array, firstSample: number) => void, onEvent: (e: { kind: 'stalled' | 'resumed' | 'error'; message: string }) => void): Promise<void>;
  stop(): Promise<void>;
}

export function simulatorInput(seed = 1): LiveInput {
  const sim = new Simulator({ seed });
  let timer: NodeJS.Timeout | null = null;
  return {
    kind: 'simulator',
    label: `simulator (seed ${seed})`,
    channels: sim.describe(0).channels,
    fs: sim.fs,
    simulator: sim,
    async start(onRows) {
      const t0 = performance.now();
      let next = 0;
      // Every 20 ms, the samples that are due by the wall clock (at most 100 ms at once).
      timer = setInterval(() => {
        const due = Math.floor(((performance.now() - t0) / 1000) * sim.fs);
        const n = Math.min(due - next, Math.round(0.1 * sim.fs));
        if (n <= 0) return;
        onRows(sim.generate(next, n), next);
        next += n;
      }, 20);
    },
    async stop() {
      if (timer) clearInterval(timer);
    }
  };
}

/** Follows a growing SpikeGLX .bin. Without its .meta yet, channels and fs come from the caller. */
export async function growingFileInput(path: string, fallback: { channels: number; fs: number }): Promise<LiveInput> {
  let channels: ChannelInfo[];
  let fs: number;
  let frameChannels: number;
  if (existsSync(metaPathFor(path))) {
    const meta = await readMeta(path);
    const nSaved = Number(meta.values.get('nSavedChans'));
    const info = describeSpikeGLX(path, meta, nSaved * 2); // one frame: only the layout matters here
    channels = info.channels;
    fs = info.fs;
    frameChannels = info.frameChannels;
  } else {
    if (!(fallback.channels > 0) || !(fallback.fs > 0)) throw new SourceError('MISSING_META', path, 'has no .meta yet: give the channel count and sampling rate');
    frameChannels = fallback.channels;
    fs = fallback.fs;
    channels = Array.from({ length: fallback.channels }, (_, c) => ({ id: `AP${c}`, index: c, readout: c, x: (Math.floor(c / 2) % 2 === 0 ? 27 : 11) + (c % 2) * 32, y: Math.floor(c / 2) * 20, shank: 0, gainUv: NP1_GAIN_UV, offsetUv: 0 }));
  }
  const follower = new FileFollower(path, { frameBytes: frameChannels * 2, stallMs: 2000 });
  let read = 0;
  const C = channels.length;
  return {
    kind: 'file',
    label: path,
    channels,
    fs,
    async start(onRows, onEvent) {
      follower.on('stalled', (ms) => onEvent({ kind: 'stalled', message: `${path}: no new data for ${(ms / 1000).toFixed(1)} s` }));
      follower.on('resumed', () => onEvent({ kind: 'resumed', message: `${path}: data again` }));
      follower.on('error', (e) => onEvent({ kind: 'error', message: e.message }));
      let reading = false;
      follower.on('grow', async () => {
        if (reading) return;
        reading = true;
        try {
          while (read < follower.frames) {
            const end = Math.min(follower.frames, read + Math.round(0.2 * fs));
            const all = new Int16Array(await follower.readFrames(read, end));
            // Keep the neural columns (the sync column, when present, is the last one).
            const rows = frameChannels === C ? all : new Int16Array((end - read) * C).map((_, i) => all[Math.floor(i / C) * frameChannels + (i % C)]);
            onRows(rows, read);
            read = end;
          }
        } catch (e) {
          onEvent({ kind: 'error', message: (e as Error).message });
        } finally {
          reading = false;
        }
      });
      await follower.start();
    },
    stop: () => follower.close()
  };
}
