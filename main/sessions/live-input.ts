// Where a live session's samples come from: the built-in simulator at real-time pace, or a
// recording file still being written (SpikeGLX .bin, whose .meta may only appear at the end).
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { keepColumns } from '../engine/columns.ts';
import { MAX_CHANNELS } from '../engine/validate.ts';
import { invalidParameterError, isInteger, isNumber } from '../util/is.ts';
import { frameFitBytes, firstBytes, frameCountProblem, multipleFrameWarning } from '../sources/frame-fit.ts';
import { FileFollower } from '../sources/live-file.ts';
import { laterRunNote } from '../sources/later-run.ts';
import { stallCause } from '../sources/stall-cause.ts';
import { describeOpenEphys, splitDatPath, theOebin } from '../sources/openephys.ts';
import { openEphysEndSamples } from '../sources/openephys-end.ts';
import { laterOpenEphysNote } from '../sources/openephys-later.ts';
import { NP1_GAIN_UV, NP1_LF_GAIN_UV, Simulator } from '../sources/simulator.ts';
import { np1Site } from '../sources/spikeglx-meta.ts';
import type { ChannelInfo, SourceInfo } from '../sources/source.ts';
import { SourceError } from '../sources/source.ts';
import { binPathFor, describeSpikeGLX, metaMisfit, metaPathFor, readMeta, staleMetaProblem } from '../sources/spikeglx.ts';

/** What a live input says of itself; a stall's `cause`, when the file tells why it went silent. */
export type LiveEvent = (e: { kind: 'stalled' | 'resumed' | 'ended' | 'error' | 'info'; message: string; cause?: string | null }) => void;

export interface LiveInput {
  readonly kind: 'simulator' | 'file';
  readonly label: string;
  readonly channels: ChannelInfo[];
  readonly fs: number;
  /** The probe, for the ADC phase shift: absent while unknown (a SpikeGLX file without its .meta yet). */
  readonly probe?: SourceInfo['probe'];
  /** What is assumed about the source (gains before SpikeGLX writes the .meta): shown with it for as long as it is open. */
  readonly warnings?: string[];
  /** The simulator's artefact/dead/noisy facts, for tests and the demo. */
  readonly simulator?: Simulator;
  /** `queuedS`: seconds of rows given and not yet processed, so that a file's backlog is read no faster than it is shown. */
  start(
    onRows: (rows: Int16Array, firstSample: number) => void,
    onEvent: LiveEvent,
    queuedS?: () => number
  ): Promise<void>;
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
    probe: sim.describe(0).probe,
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

interface FollowLayout {
  path: string;
  label: string;
  channels: ChannelInfo[];
  fs: number;
  frameChannels: number;
  /** File columns of the neural channels, in order. */
  columns: number[];
  probe?: SourceInfo['probe'];
  warnings?: string[];
  /** Called as the file grows; may report that metadata appeared (SpikeGLX writes its .meta last). */
  onGrow?: (emit: LiveEvent, frames: number) => void;
  /** Asked when the file stops growing: an event if the recording is known to be complete. */
  finished?: () => Promise<{ kind: 'ended' | 'error'; message: string } | null>;
  /** Asked once it has ended, each second: where the recording went on, if a later file tells. */
  laterNote?: () => Promise<string | null>;
}

/** How far back from the newest sample a followed run is joined. */
const JOIN_BACK_S = 0.5;
/** Silence after which a followed file is said to have stalled, at rates where writers' blocks come sooner. */
const STALL_MS = 2000;
/** The largest block an acquisition program writes at once (Open Ephys's), in samples. */
const WRITER_BLOCK_SAMPLES = 4096;
/** A file's rows are read while fewer than this many seconds wait to be processed. */
const QUEUE_MAX_S = 0.25;
/** Further behind the file than this, its newest half second is joined again: catching up would take longer than the view's history holds. */
const MAX_BEHIND_S = 10;


/** Where a .meta disagrees with how its file was followed (channels and rate typed in before it existed): why, else null. */
/** The stream's rate as its .meta states it: imec, NI or OneBox (obSampRate; a followed .obx.bin always ended in "NaN Hz"). */
const metaRate = (meta: Awaited<ReturnType<typeof readMeta>>) => Number(meta.values.get('imSampRate') ?? meta.values.get('niSampRate') ?? meta.values.get('obSampRate'));
/** Whether the .meta says its channels and rate: SpikeGLX writes it in place, and one read mid-write is looked at again. */
// SpikeGLX writes the keys in alphabetical order and the ~ lists last: typeThis comes after the
// count and the rate, and an imec stream's ~imroTbl (its gains) after all of them.
const metaComplete = (meta: Awaited<ReturnType<typeof readMeta>>) =>
  Number(meta.values.get('nSavedChans')) > 0 && metaRate(meta) > 0 && meta.values.has('typeThis') && (meta.values.get('typeThis') !== 'imec' || meta.lists.has('imroTbl'));

function metaDisagrees(path: string, meta: Awaited<ReturnType<typeof readMeta>>, followed: { channels: number; fs: number }): string | null {
  const n = Number(meta.values.get('nSavedChans'));
  const fs = metaRate(meta);
  // SpikeGLX states its calibrated rate (30000.12…): a typed 30000 is the same stream.
  if (n === followed.channels && Math.abs(fs - followed.fs) <= fs * 1e-3) return null;
  return `${metaPathFor(path)} says ${n} channels at ${fs} Hz, but the file was followed as ${followed.channels} at ${followed.fs} Hz: reopen it`;
}

/**
 * Where a .meta that came at the end gives other gains than the view assumed while following
 * without it: every µV shown was off by the ratio, which the run's end says (else it passes unseen).
 */
function gainNote(path: string, meta: Awaited<ReturnType<typeof readMeta>>, size: number, assumedUv: number): string | null {
  let gains: number[];
  try {
    gains = describeSpikeGLX(path, meta, size).channels.map((c) => c.gainUv);
  } catch {
    return null; // a .meta that cannot be read says so when the file is opened
  }
  const [lo, hi] = [Math.min(...gains), Math.max(...gains)];
  if (!(lo > 0) || (Math.abs(lo - assumedUv) <= assumedUv * 1e-3 && Math.abs(hi - assumedUv) <= assumedUv * 1e-3)) return null;
  const ratio = (g: number) => `${+(assumedUv / g).toPrecision(3)}×`;
  const given = lo === hi ? `${+lo.toPrecision(6)} µV/bit` : `${+lo.toPrecision(6)}–${+hi.toPrecision(6)} µV/bit`;
  const off = lo === hi ? ratio(lo) : `${ratio(hi)}–${ratio(lo)}`;
  return `its .meta gives ${given} where ${assumedUv} was assumed: the µV shown were ${off} the true ones (open the whole file to see them right)`;
}

/**
 * SpikeGLX writes a run's .meta when it closes the .bin: a .meta whose fileSizeBytes is the file's
 * size says the recording ended, where silence alone could be a paused acquisition. A .meta that
 * disagrees with how the file was followed (channels and rate typed in before it existed) is an
 * error: every sample shown was interleaved wrongly.
 */
function spikeglxFinished(path: string, followed: { channels: number; fs: number }, assumedGainUv?: number): () => Promise<{ kind: 'ended' | 'error'; message: string } | null> {
  return async () => {
    if (!existsSync(metaPathFor(path))) return null;
    const meta = await readMeta(path).catch(() => null);
    const declared = Number(meta?.values.get('fileSizeBytes'));
    const size = (await stat(path).catch(() => null))?.size;
    if (!meta || !(declared > 0) || declared !== size) return null;
    if (!metaComplete(meta)) return null; // fileSizeBytes comes before them: looked at again next time
    const wrong = metaDisagrees(path, meta, followed);
    if (wrong) return { kind: 'error', message: wrong };
    const gains = assumedGainUv === undefined ? null : gainNote(path, meta, size, assumedGainUv);
    return { kind: 'ended', message: `${path}: the recording ended (its .meta was written): ${(size / (2 * followed.channels) / followed.fs).toFixed(1)} s${gains ? `; ${gains}` : ''}` };
  };
}

function followInput(l: FollowLayout): LiveInput {
  // Open Ephys writes whole blocks of 4096 samples: below ~2 kHz one takes longer than 2 s, and a
  // healthy run read "stalled" then "data again" at every block. Two blocks' time, 2 s at least.
  const follower = new FileFollower(l.path, { frameBytes: l.frameChannels * 2, stallMs: Math.max(STALL_MS, (2 * WRITER_BLOCK_SAMPLES * 1000) / l.fs) });
  let read = 0;
  let stopLooking = () => {};
  let stopped = false;
  return {
    kind: 'file',
    label: l.label,
    channels: l.channels,
    fs: l.fs,
    probe: l.probe,
    warnings: l.warnings,
    async start(onRows, onEvent, queuedS) {
      // While silent, look for the sign that the recording is complete (it may come seconds later).
      let looking: ReturnType<typeof setInterval> | undefined;
      let failed = false;
      /** The end said, once the run is complete: what becomes of its file after that is no failure of the recording. */
      let endedSaid: string | null = null;
      let laterSaid: string | null = null;
      /** Why the file went silent, as it looked when it did. */
      let stallSaid: { silentMs: number; cause: string | null } | null = null;
      // The same look finds where the recording went on (SpikeGLX's next t or g file): after the end,
      // and while silent too (a run restarted as g1 after a crash leaves g0 without its .meta).
      const lookForLater = async () => {
        const note = await l.laterNote?.().catch(() => null);
        if (!note || note === laterSaid || stopped || failed || !(endedSaid || (stallSaid && follower.stalled))) return;
        laterSaid = note;
        if (endedSaid) return onEvent({ kind: 'ended', message: `${endedSaid}; ${note}` });
        const cause = [stallSaid!.cause, note].filter(Boolean).join('; ');
        onEvent({ kind: 'stalled', message: `${l.path}: no new data for ${(stallSaid!.silentMs / 1000).toFixed(1)} s: ${cause}`, cause });
      };
      const lookForEnd = async () => {
        if (endedSaid) return lookForLater();
        const ended = await l.finished?.().catch(() => null);
        if (!ended) return lookForLater();
        if (follower.stalled && !stopped && !failed && !endedSaid) {
          laterSaid = null; // said again, after the end
          if (ended.kind === 'ended') endedSaid = ended.message;
          // Looked on only for a later file, where the source can tell of one.
          if (ended.kind !== 'ended' || !l.laterNote) clearInterval(looking);
          onEvent(ended);
          if (ended.kind === 'ended') await lookForLater();
        }
      };
      follower.on('stalled', async (ms) => {
        if (stopped) return;
        const cause = await stallCause(l.path, l.frameChannels * 2, l.frameChannels * 2 * l.fs);
        if (stopped || !follower.stalled) return;
        stallSaid = { silentMs: ms, cause };
        laterSaid = null;
        onEvent({ kind: 'stalled', message: `${l.path}: no new data for ${(ms / 1000).toFixed(1)} s${cause ? `: ${cause}` : ''}`, cause });
        if (!l.finished) return;
        clearInterval(looking);
        void lookForEnd();
        looking = setInterval(() => void lookForEnd(), 1000);
      });
      follower.on('resumed', () => {
        clearInterval(looking);
        endedSaid = laterSaid = stallSaid = null;
        onEvent({ kind: 'resumed', message: `${l.path}: data again` });
      });
      stopLooking = () => clearInterval(looking);
      follower.on('error', (e) => {
        failed = true; // an error stays the last word: no "ended" after it
        clearInterval(looking);
        // A finished run's file moved to a server or deleted after its end: the run still ended well,
        // and every sample of it is shown. A file cut short is still an error: the data on disk changed.
        const since = e.code === 'DISAPPEARED' ? 'moved or deleted' : e.code === 'REPLACED' ? 'replaced by another file' : null;
        if (endedSaid && since) return onEvent({ kind: 'ended', message: `${endedSaid}; its file has since been ${since} (what is shown stays)` });
        // What was read before is kept: said, so a file gone from under the view is not taken for a view emptied.
        const kept = since || e.code === 'TRUNCATED' ? `: what was shown (up to ${(read / l.fs).toFixed(1)} s) stays in the view; nothing more is read from it` : '';
        onEvent({ kind: 'error', message: `${e.message}${kept}` });
      });
      let reading = false;
      let starting = true;
      follower.on('grow', async () => {
        l.onGrow?.(onEvent, follower.frames);
        // A run already under way when we start is joined at its last half second: reading its whole
        // backlog would only queue seconds of data to be dropped before the newest could be shown.
        if (starting) read = Math.max(0, follower.frames - Math.round(JOIN_BACK_S * l.fs));
        if (reading) return;
        reading = true;
        try {
          while (read < follower.frames) {
            // After a stall the writer catches up in a burst: those rows are on disk, so they are read
            // as fast as the view processes them, where a live stream's excess must be dropped (and
            // shown as a silent probe in the history).
            while (!stopped && !failed && (queuedS?.() ?? 0) > QUEUE_MAX_S) await new Promise((r) => setTimeout(r, 10));
            // Failed (truncated, replaced, gone): its handle is closed, and a read now would say
            // EBADF over the error that says what happened.
            if (stopped || failed) return;
            if (follower.frames - read > MAX_BEHIND_S * l.fs) {
              const from = follower.frames - Math.round(JOIN_BACK_S * l.fs);
              onEvent({ kind: 'info', message: `${l.path}: ${((from - read) / l.fs).toFixed(1)} s behind the file, more than the view catches up in time: skipped to its newest half second` });
              read = from;
            }
            const end = Math.min(follower.frames, read + Math.round(0.05 * l.fs));
            const rows = await keepColumns(new Int16Array(await follower.readFrames(read, end)), l.frameChannels, l.columns);
            onRows(rows, read);
            read = end;
          }
        } catch (e) {
          if (!failed) onEvent({ kind: 'error', message: (e as Error).message });
        } finally {
          reading = false;
        }
      });
      await follower.start();
      starting = false;
    },
    stop: () => {
      stopped = true;
      stopLooking();
      return follower.close();
    }
  };
}

/** Follows a growing SpikeGLX .bin. Without its .meta yet, channels and fs come from the caller. */
export async function growingFileInput(path: string, fallback: { channels: number; fs: number }): Promise<LiveInput> {
  // A SpikeGLX .meta names its .bin: that is the file followed (its own text would be taken for data).
  path = binPathFor(path);
  // Only a .bin has a .meta: any other name (a raw .dat) was taken for its own .meta, and refused.
  const metaPath = /\.bin$/i.test(path) ? metaPathFor(path) : null;
  if (metaPath && existsSync(metaPath)) {
    const meta = await readMeta(path);
    const nSaved = Number(meta.values.get('nSavedChans'));
    // The file's own size: a finished run's .meta states it (a guessed size would not match).
    const size = (await stat(path).catch(() => ({ size: nSaved * 2 }))).size;
    const stale = staleMetaProblem(path, meta, size);
    if (stale) throw new SourceError('STALE_META', path, stale);
    const info = describeSpikeGLX(path, meta, size);
    // What opening it as a recording would say (cut short, a .meta of another file), said here too.
    const misfit = await metaMisfit(path, info.frameChannels);
    const warnings = [...(info.warnings ?? []), ...(misfit ? [misfit] : [])];
    let staleSaid = false;
    return followInput({
      path,
      label: path,
      channels: info.channels,
      fs: info.fs,
      frameChannels: info.frameChannels,
      columns: info.channels.map((_, i) => i),
      probe: info.probe,
      warnings,
      finished: spikeglxFinished(path, { channels: info.frameChannels, fs: info.fs }),
      laterNote: () => laterRunNote(path),
      // Shorter than its .meta at the start (a run cut short, or a new one just begun), growing past
      // it: a new run, read with the older run's layout from here on.
      onGrow(emit, frames) {
        const problem = staleSaid ? null : staleMetaProblem(path, meta, frames * info.frameChannels * 2);
        if (!problem) return;
        staleSaid = true;
        emit({ kind: 'error', message: `${path}: ${problem}` });
      }
    });
  }
  if (!(fallback.channels > 0) || !(fallback.fs > 0)) throw new SourceError('MISSING_META', path, 'has no .meta yet: give the channel count and sampling rate');
  // Typed by hand, and what the channel table and every read are sized by: half a channel, or ten
  // million, is refused here rather than opened with none or built until the heap runs out.
  if (!isInteger(fallback.channels) || fallback.channels > MAX_CHANNELS) throw invalidParameterError('channels', `a channel count from 1 to ${MAX_CHANNELS}`, fallback.channels);
  if (!isNumber(fallback.fs)) throw invalidParameterError('fs', 'a sampling rate above 0 Hz', fallback.fs);
  // SpikeGLX's LFP stream runs at 2500 Hz, its AP stream at 30 kHz: a rate typed for the other one
  // would show every time 12× off and filter the wrong band, unnoticed until the .meta comes.
  const lfp = /\.lf\.bin$/i.test(path);
  if (isSpikeGlxImec(path) && (lfp ? fallback.fs > 5000 : fallback.fs < 10000)) {
    throw new SourceError('WRONG_RATE', path, `is SpikeGLX's ${lfp ? 'LFP stream, sampled at 2500 Hz' : 'AP stream, sampled at 30000 Hz'}, not ${fallback.fs} Hz: give its rate`);
  }
  // Until the .meta says otherwise, the gains of a Neuropixels 1.0 probe (AP ×500, LFP ×250).
  const assumedGainUv = lfp ? NP1_LF_GAIN_UV : NP1_GAIN_UV;
  // SpikeGLX saves a Neuropixels stream as 384 channels and the sync channel last: that column is
  // split off, never filtered or referenced.
  const neural = isSpikeGlxImec(path) && fallback.channels === 385 ? 384 : fallback.channels;
  const channels: ChannelInfo[] = Array.from({ length: neural }, (_, c) => ({
    id: `${lfp ? 'LF' : 'AP'}${c}`,
    index: c,
    readout: c,
    ...np1Site(c),
    shank: 0,
    gainUv: assumedGainUv,
    offsetUv: 0
  }));
  let metaSeen = false;
  let lastLook = 0;
  let fitChecked = false;
  // Said for as long as the file is followed: the channels keep these gains and sites (and no ADC
  // phase shift) even once the .meta appears; opening the finished file reads them from it.
  const assumed = `µV assume a Neuropixels 1.0 ${lfp ? 'LFP' : 'AP'} gain (${assumedGainUv} µV/bit) and its site layout`;
  const warnings = [`no .meta yet: ${assumed}, as long as this file is followed`];
  // Once the .meta is there, "no .meta yet" is untrue; what is assumed still holds, until the whole file is opened.
  const metaCame = () => (warnings[0] = `followed before its .meta: ${assumed}; open the whole file to read them from its .meta`);
  const ended = metaPath ? spikeglxFinished(path, fallback, assumedGainUv) : undefined;
  return followInput({
    path,
    label: path,
    channels,
    fs: fallback.fs,
    frameChannels: fallback.channels,
    columns: channels.map((_, i) => i),
    warnings,
    finished: ended
      ? async () => {
          const end = await ended();
          if (end?.kind === 'ended') metaCame();
          return end;
        }
      : undefined,
    laterNote: () => laterRunNote(path),
    onGrow(emit) {
      // A wrong channel count shows only noise until the .meta comes at the end: the first 0.1 s
      // of data already tell, so say it then.
      if (!fitChecked) {
        const bytes = frameFitBytes(fallback.channels);
        fitChecked = true;
        void firstBytes(path, bytes).then((head) => {
          if (!head) {
            fitChecked = false; // not enough data yet: look again at the next growth
            return;
          }
          const problem = frameCountProblem(head, fallback.channels, neural);
          if (problem) return emit({ kind: 'error', message: `${path}: ${problem}` });
          // Half or twice the real count: likely but not certain from the data alone, so a warning,
          // kept with the source's for as long as it is followed.
          const multiple = multipleFrameWarning(head, fallback.channels);
          if (!multiple) return;
          warnings.push(multiple);
          emit({ kind: 'info', message: `${path}: ${multiple}` });
        }).catch(() => {
          // A read that failed (said by the follower's own read of the same rows): looked at again as
          // the file grows. Unheard, the rejection ended the host.
          fitChecked = false;
        });
      }
      // SpikeGLX writes the .meta when the run ends: pick it up, and check it agrees with what we assumed.
      const now = performance.now();
      if (metaSeen || now - lastLook < 500) return;
      lastLook = now;
      if (!metaPath || !existsSync(metaPath)) return;
      metaSeen = true;
      void readMeta(path).then(
        (meta) => {
          if (!metaComplete(meta)) return void (metaSeen = false);
          const wrong = metaDisagrees(path, meta, fallback);
          if (!wrong) metaCame();
          emit(wrong ? { kind: 'error', message: wrong } : { kind: 'info', message: `${metaPath} appeared: the recording is complete` });
        },
        // Not readable yet (the writer still holds it, no permission): looked at again as the file grows.
        // Unheard, the rejection ended the host.
        () => {
          metaSeen = false;
        }
      );
    }
  });
}

/** run_g0_t0.imec0.ap.bin, .lf.bin: a Neuropixels stream as SpikeGLX names it. */
function isSpikeGlxImec(path: string): boolean {
  return /\.imec\d*\.(ap|lf)\.bin$/i.test(path);
}


/** Follows an Open Ephys continuous.dat being written (its structure.oebin exists from the start). */
export async function growingOpenEphysInput(path: string, stream?: string): Promise<LiveInput> {
  const dat = splitDatPath(path);
  stream ??= dat?.stream;
  const oebin = await theOebin(dat ? dat.recording : path);
  const info = await describeOpenEphys(oebin, stream, true);
  // What opening it as a recording would say (an unknown probe layout, another probe's stream), said here too.
  // Open Ephys writes no file at the end of a recording, but closing it settles the sample count
  // it states: that ends the run, where silence alone could be a stopped acquisition or a crash.
  const finished = async () => {
    const samples = await openEphysEndSamples(info.dat, info.frameChannels);
    return samples === null ? null : { kind: 'ended' as const, message: `${info.dat}: the recording ended (Open Ephys closed it at ${samples} samples): ${(samples / info.fs).toFixed(1)} s` };
  };
  return followInput({ path: info.dat, label: `${oebin} (${info.stream})`, channels: info.channels, fs: info.fs, frameChannels: info.frameChannels, columns: info.channels.map((c) => c.readout), probe: info.probe, warnings: info.warnings, finished, laterNote: () => laterOpenEphysNote(info.dat, info.frameChannels) });
}
