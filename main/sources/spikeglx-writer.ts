// Writes a SpikeGLX-style recording the way SpikeGLX does: the .bin grows in real time and the
// .meta appears when the run ends. Used by `probedeck simulate` to exercise the live path.
import { open, rename, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { NP1_GAIN_UV, Simulator } from './simulator.ts';
import { metaPathFor } from './spikeglx.ts';

export interface WriteOptions {
  out: string;
  seconds: number;
  seed?: number;
  /** Write blocks this long (SpikeGLX writes every few ms). */
  blockMs?: number;
  /** 1 = real time; 0 = as fast as possible. */
  pace?: number;
  signal?: AbortSignal;
  onBlock?: (samples: number) => void;
}

/** SpikeGLX's sync word, saved after a probe's channels: bit 6 is the 1 Hz sync pulse. */
export function withSyncColumn(rows: Int16Array, start: number, channels: number, fs: number): Int16Array {
  const n = rows.length / channels;
  const out = new Int16Array(n * (channels + 1));
  for (let t = 0; t < n; t++) {
    out.set(rows.subarray(t * channels, (t + 1) * channels), t * (channels + 1));
    out[t * (channels + 1) + channels] = (start + t) % fs < fs / 2 ? 64 : 0;
  }
  return out;
}

/** As SpikeGLX writes fileCreateTime: the local wall clock, to the second, with no zone. */
function localIsoSeconds(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** The .meta SpikeGLX writes for the simulator's probe (written at the end, as SpikeGLX does: the run started `samples` ago); `sync`: the sync channel saved last, as SpikeGLX does. */
export function simulatorMeta(sim: Simulator, samples: number, fileName: string, sync = true): string {
  const C = sim.channelCount;
  const F = C + (sync ? 1 : 0);
  const imro = Array.from({ length: C }, (_, c) => `(${c} 0 0 500 250 1)`).join('');
  const shankMap = Array.from({ length: C }, (_, c) => `(0:${c % 2}:${Math.floor(c / 2)}:1)`).join('');
  const chanMap = Array.from({ length: C }, (_, c) => `(AP${c};${c}:${c})`).join('') + (sync ? `(SY0;${C}:${C})` : '');
  return [
    `fileName=${fileName}`,
    `fileSizeBytes=${samples * F * 2}`,
    `fileTimeSecs=${samples / sim.fs}`,
    `fileCreateTime=${localIsoSeconds(new Date(Date.now() - (samples / sim.fs) * 1000))}`,
    'typeThis=imec',
    'imAiRangeMax=0.6',
    'imAiRangeMin=-0.6',
    'imDatPrb_pn=PRB_1_4_0480_1',
    'imDatPrb_type=0',
    `imSampRate=${sim.fs}`,
    `nSavedChans=${F}`,
    `snsApLfSy=${C},0,${F - C}`,
    `snsSaveChanSubset=0:${F - 1}`,
    `~imroTbl=(0,${C})${imro}`,
    `~snsChanMap=(${C},0,${F - C})${chanMap}`,
    `~snsShankMap=(1,2,480)${shankMap}`,
    `# simulated by ProbeDeck: seed=${sim.seed}, dead channel ${sim.deadChannel}, noisy channel ${sim.noisyChannel}, gain ${NP1_GAIN_UV} uV/bit`,
    ''
  ].join('\n');
}

export async function writeGrowingSpikeGLX(o: WriteOptions): Promise<number> {
  const sim = new Simulator({ seed: o.seed });
  const block = Math.max(1, Math.round(((o.blockMs ?? 10) / 1000) * sim.fs));
  const total = Math.round(o.seconds * sim.fs);
  const pace = o.pace ?? 1;
  const fh = await open(o.out, 'w');
  const t0 = performance.now();
  let written = 0;
  try {
    while (written < total) {
      if (o.signal?.aborted) break;
      const n = Math.min(block, total - written);
      const data = withSyncColumn(sim.generate(written, n), written, sim.channelCount, sim.fs);
      await fh.write(new Uint8Array(data.buffer));
      written += n;
      o.onBlock?.(written);
      if (pace > 0) {
        const due = t0 + ((written / sim.fs) * 1000) / pace;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    }
  } finally {
    await fh.close();
  }
  // Like SpikeGLX: the .meta is written at the end (atomically, so a reader never sees half of it).
  const meta = metaPathFor(o.out);
  await writeFile(meta + '.tmp', simulatorMeta(sim, written, basename(o.out)));
  await rename(meta + '.tmp', meta);
  return written;
}
