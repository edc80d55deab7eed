// probedeck process: filter and re-reference a raw time-major file in SpikeInterface's save() chunks.
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { defaultMargin, phaseShiftMargin, processFile, type PipelineSpec, type ProcessFileOptions } from '../../engine/index.ts';
import type { FilterSpec } from '../../engine/filters.ts';
import { adcSampleShifts } from '../../sources/adc-shifts.ts';
import { formatBytes } from '../../util/byte-size.ts';
import { plan } from '../../planner/plan.ts';
import { ramBudgetOption } from '../ram-budget-option.ts';
import { peakRssBytes } from '../../util/rss.ts';
import { CliError, type Command } from '../command.ts';
import { metaBesideWarnings } from '../meta-beside.ts';
import { progressLine } from '../progress.ts';
import { formatSpeed } from '../../util/speed.ts';
import { MAX_MARGIN_MS } from '../../presets/schema.ts';

const USAGE = `usage: probedeck process <input> --channels C --fs HZ --dtype int16|uint16|float32
    [--bandpass LO,HI | --highpass LO | --lowpass HI] [--order 5] [--phase zero|causal|stream]
    [--margin-ms M] [--precision float64|float32] [--chunk-ms 1000] [--cmr none|global-median|global-mean]
    [--phase-shift none|fir|fft] [--taps 16|32|64] [--probe np1|np2] [--bad-channels none|detect] [--gain-uv G]
    [--n-workers W] [--n-jobs J] [--ram-budget B] --out <file> [--overwrite] [--out-dtype float32|int16] [--header-bytes N]

Input and output are little-endian and time-major (T × C). Windows are [i·chunk, (i+1)·chunk) with
real neighbours ±margin, as SpikeInterface's save(); the margin defaults to SI's "auto" (5 periods
of the lowest corner) for zero-phase and 5 ms for causal. --out-dtype int16 rounds half-to-even.
--precision: the filter's arithmetic, float64 as scipy (bit for bit) or float32 (the filter ~2× faster,
within 1e-4 of it relative to the output's RMS; a corner too near 0 Hz for that runs in float64).
--ram-budget (e.g. 512MiB, 2GiB) lets the planner choose jobs, workers and chunk to stay inside it.
--phase-shift undoes the Neuropixels ADC multiplexing (columns are readout channels 0…C−1 of --probe):
fft is SpikeInterface's method (40 ms margin), fir its 16/32/64-tap windowed sinc. --bad-channels detect
runs SpikeInterface's detect_bad_channels (coherence+psd) on 10 windows first and keeps the bad
channels out of the CMR; its thresholds are in µV, so give --gain-uv (µV per unit, NP1.0 AP: 2.34375).`;

function num(name: string, v: string | undefined, fallback?: number): number {
  if (v === undefined) {
    if (fallback === undefined) throw new CliError(`--${name} is required\n${USAGE}`, 2);
    return fallback;
  }
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new CliError(`--${name} must be a number, got "${v}"`, 2);
  return n;
}

/** Turns the command line into engine options (one place, so --ram-budget can fill J/W/chunk later). */
export function parseProcessArgs(args: string[]): ProcessFileOptions {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      channels: { type: 'string' },
      fs: { type: 'string' },
      dtype: { type: 'string', default: 'int16' },
      bandpass: { type: 'string' },
      highpass: { type: 'string' },
      lowpass: { type: 'string' },
      order: { type: 'string', default: '5' },
      phase: { type: 'string', default: 'zero' },
      'margin-ms': { type: 'string' },
      precision: { type: 'string', default: 'float64' },
      'chunk-ms': { type: 'string', default: '1000' },
      cmr: { type: 'string', default: 'none' },
      // No defaults here: with --ram-budget, the ones given stay and the planner picks the rest.
      'n-workers': { type: 'string' },
      'n-jobs': { type: 'string' },
      out: { type: 'string' },
      overwrite: { type: 'boolean' },
      'out-dtype': { type: 'string', default: 'float32' },
      'header-bytes': { type: 'string', default: '0' },
      'ram-budget': { type: 'string' },
      'phase-shift': { type: 'string', default: 'none' },
      taps: { type: 'string', default: '16' },
      probe: { type: 'string', default: 'np1' },
      'bad-channels': { type: 'string', default: 'none' },
      'gain-uv': { type: 'string', default: '1' }
    }
  });
  if (positionals.length !== 1) throw new CliError(`expected one input file\n${USAGE}`, 2);
  if (!values.out) throw new CliError(`--out is required\n${USAGE}`, 2);
  const fs = num('fs', values.fs);
  const channels = num('channels', values.channels);
  // uint16 (as some acquisition systems write) is read as SpikeInterface does: minus 32768.
  if (!['int16', 'uint16', 'float32'].includes(values.dtype!)) throw new CliError(`--dtype must be int16, uint16 or float32, got "${values.dtype}"`, 2);
  const dtype = values.dtype as 'int16' | 'uint16' | 'float32';
  if (!['int16', 'float32'].includes(values['out-dtype']!)) throw new CliError(`--out-dtype must be int16 or float32, got "${values['out-dtype']}"`, 2);
  const phase = values.phase as 'zero' | 'causal' | 'stream';
  if (!['zero', 'causal', 'stream'].includes(phase)) throw new CliError(`--phase must be zero, causal or stream, got "${values.phase}"`, 2);
  const order = num('order', values.order);

  const given = [values.bandpass, values.highpass, values.lowpass].filter((v) => v !== undefined).length;
  if (given > 1) throw new CliError('give only one of --bandpass, --highpass, --lowpass', 2);
  let filter: FilterSpec | undefined;
  if (values.bandpass !== undefined) {
    const parts = values.bandpass.split(',');
    if (parts.length !== 2) throw new CliError(`--bandpass takes LO,HI in Hz, got "${values.bandpass}"`, 2);
    filter = { kind: 'bandpass', order, lowHz: num('bandpass', parts[0]), highHz: num('bandpass', parts[1]) };
  } else if (values.highpass !== undefined) filter = { kind: 'highpass', order, lowHz: num('highpass', values.highpass) };
  else if (values.lowpass !== undefined) filter = { kind: 'lowpass', order, highHz: num('lowpass', values.lowpass) };

  // A step's options without the step are a mistake in the command, not something to ignore.
  const typed = (flags: string[]) => flags.filter((f) => args.some((a) => a === `--${f}` || a.startsWith(`--${f}=`)));
  const options = (flags: string[]) => `--${flags.join(', --')} ${flags.length > 1 ? 'are options' : 'is an option'}`;
  const orphan = typed(['order', 'phase', 'margin-ms', 'precision']);
  if (!filter && orphan.length) throw new CliError(`${options(orphan)} of a filter: give --bandpass, --highpass or --lowpass too`, 2);
  const shiftOrphan = typed(values['phase-shift'] === 'none' ? ['taps', 'probe'] : values['phase-shift'] === 'fft' ? ['taps'] : []);
  if (shiftOrphan.length) throw new CliError(`${options(shiftOrphan)} of ${values['phase-shift'] === 'none' ? '--phase-shift: give --phase-shift fir or fft too' : 'the FIR phase shift: --phase-shift fft has no taps'}`, 2);
  if (values['bad-channels'] !== 'detect' && typed(['gain-uv']).length) throw new CliError('--gain-uv is an option of --bad-channels detect (the µV its thresholds are in), not the output\'s scale: give --bad-channels detect too', 2);

  const pipeline: PipelineSpec = {};
  if (filter) {
    const withPhase = { ...filter, phase };
    const marginMs = values['margin-ms'];
    if (marginMs !== undefined && !(num('margin-ms', marginMs) >= 0)) throw new CliError(`--margin-ms must be 0 or more (ms of real neighbours each side), got "${marginMs}"`, 2);
    // The bound a preset's marginMs has: the same margin is refused however it is given.
    if (marginMs !== undefined && num('margin-ms', marginMs) > MAX_MARGIN_MS) throw new CliError(`--margin-ms must be at most ${MAX_MARGIN_MS} (ms of real neighbours each side of every chunk, as a preset's marginMs), got "${marginMs}"`, 2);
    const precision = values.precision as 'float64' | 'float32';
    if (precision !== 'float64' && precision !== 'float32') throw new CliError(`--precision must be float64 or float32, got "${values.precision}"`, 2);
    pipeline.filter = { ...withPhase, marginSamples: marginMs === undefined ? defaultMargin(withPhase, fs) : Math.trunc((num('margin-ms', marginMs) * fs) / 1000), precision };
  }
  const cmr = values.cmr!;
  if (cmr === 'global-median' || cmr === 'global-mean') pipeline.reference = { mode: 'global', operator: cmr === 'global-median' ? 'median' : 'mean' };
  else if (cmr !== 'none') throw new CliError(`--cmr must be none, global-median or global-mean, got "${cmr}"`, 2);

  const method = values['phase-shift']!;
  if (!['none', 'fir', 'fft'].includes(method)) throw new CliError(`--phase-shift must be none, fir or fft, got "${method}"`, 2);
  if (method !== 'none') {
    const taps = num('taps', values.taps);
    if (![16, 32, 64].includes(taps)) throw new CliError(`--taps must be 16, 32 or 64, got "${values.taps}"`, 2);
    if (values.probe !== 'np1' && values.probe !== 'np2') throw new CliError(`--probe must be np1 or np2, got "${values.probe}"`, 2);
    const shifts = adcSampleShifts(values.probe, Array.from({ length: channels }, (_, c) => c));
    pipeline.phaseShift = { method: method as 'fir' | 'fft', shifts, taps: taps as 16 | 32 | 64 };
  }
  const bad = values['bad-channels']!;
  if (bad !== 'none' && bad !== 'detect') throw new CliError(`--bad-channels must be none or detect, got "${bad}"`, 2);
  if (bad === 'detect') pipeline.badChannels = { detect: 'coherence+psd', gainUv: num('gain-uv', values['gain-uv']) };

  const chunkSamples = Math.trunc((num('chunk-ms', values['chunk-ms']) * fs) / 1000);
  if (!(chunkSamples >= 1)) throw new CliError(`--chunk-ms must hold one sample at least (${(1000 / fs).toPrecision(3)} ms at ${fs} Hz), got "${values['chunk-ms']}"`, 2);
  const count = (name: string) => {
    const v = values[name as 'n-jobs' | 'n-workers'];
    if (v === undefined) return undefined;
    const n = num(name, v);
    if (!Number.isInteger(n) || n < 1) throw new CliError(`--${name} must be a whole number from 1, got "${v}"`, 2);
    return n;
  };
  const jobs = count('n-jobs');
  // A streaming filter's state carries from chunk to chunk: its chunks run in order, in one job.
  const inOrder = pipeline.filter?.phase === 'stream';
  if (inOrder && jobs !== undefined && jobs > 1) console.error(`probedeck: warning: --n-jobs ${jobs}: --phase stream runs its chunks in order, in one job (--n-workers splits each chunk's channels)`);
  const givenJobs = inOrder ? 1 : jobs === undefined ? undefined : Math.min(jobs, availableParallelism() * 4);
  const givenWorkers = count('n-workers');
  let nJobs = givenJobs ?? 1;
  let nWorkers = givenWorkers ?? 1;
  if (values['ram-budget'] !== undefined) {
    // The chunk is part of the result (SpikeInterface's windows): --chunk-ms holds, budget or not.
    const p = plan({
      ramBudgetBytes: ramBudgetOption(values['ram-budget']),
      channels,
      fs,
      dtype: dtype === 'float32' ? 'float32' : 'int16',
      outDtype: values['out-dtype'] as 'int16' | 'float32',
      job: 'export',
      marginSamples: pipeline.filter?.marginSamples ?? 0,
      phaseShiftMarginSamples: pipeline.phaseShift ? phaseShiftMargin(pipeline.phaseShift, fs) : 0,
      chunkSamples,
      nJobs: givenJobs,
      nWorkers: givenWorkers
    });
    ({ nJobs, nWorkers } = p);
    console.error(`plan: ${p.reason}; predicted peak ${formatBytes(p.predictedPeakBytes)}`);
  }
  return {
    input: positionals[0],
    output: values.out,
    overwrite: values.overwrite ?? false,
    channels,
    fs,
    dtype,
    outDtype: values['out-dtype'] as 'int16' | 'float32',
    headerBytes: num('header-bytes', values['header-bytes']),
    pipeline,
    chunkSamples,
    nJobs,
    nWorkers
  };
}

export const processCommand: Command = {
  summary: 'filter and re-reference a raw binary file (SpikeInterface save() semantics)',
  usage: USAGE,
  async run(args) {
    const options = parseProcessArgs(args);
    for (const w of await metaBesideWarnings(options.input, options.channels, options.fs)) console.error(`probedeck: warning: ${options.input}: ${w}`);
    const progress = progressLine('process', options.fs);
    // Ctrl-C stops between chunks; processFile then removes its temporary file.
    const abort = new AbortController();
    // The shell's convention, as export: 128 + the signal's number.
    let signalled = 130;
    const onSigint = () => abort.abort();
    const onSigterm = () => ((signalled = 143), abort.abort());
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigterm);
    let result;
    try {
      result = await processFile({ ...options, onProgress: progress.update, signal: abort.signal });
    } catch (err) {
      if (!abort.signal.aborted) throw err;
      progress.done();
      console.error(`probedeck: cancelled; nothing was written to ${options.output}`);
      return signalled;
    } finally {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigterm);
    }
    progress.done();
    const x = result.samples / options.fs / result.seconds;
    if (result.badChannels) {
      const found = result.badChannels.bad.map((c) => `${c} (${result.badChannels!.labels[c]})`);
      console.error(`bad channels: ${found.length ? found.join(', ') : 'none'}, from ${result.badChannels.chunks} windows`);
    }
    console.error(
      `processed ${result.samples} samples × ${options.channels} ch in ${result.seconds.toFixed(2)} s (${formatSpeed(x)}× real time), ` +
        `engine work buffers peak ${(result.peakWorkBytes / 2 ** 20).toFixed(1)} MiB, process peak RSS ${formatBytes(peakRssBytes())}` +
        `${result.clamped ? `, ${result.clamped} values clamped to int16` : ''}`
    );
    return 0;
  }
};
