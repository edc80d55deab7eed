// One export: a source through a preset's pipeline into a new folder. Everything is written under a
// hidden temporary name beside the destination, fsynced, and renamed into place only when complete,
// so a cancel, a crash or a full disk leaves the finished export or nothing.
import { access, constants, mkdir, open, readFile, readdir, rename, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Calibration } from '../api/domains/planner.ts';
import type { ExportFormat } from '../api/domains/export.ts';
import type { PresetBody } from '../api/domains/presets.ts';
import { checkChunkWindows, checkLongEnough, pickedColumns, processFile } from '../engine/executor.ts';
import { phaseShiftMargin } from '../engine/phase-shift.ts';
import { plan } from '../planner/plan.ts';
import { pipelineFromPreset } from '../presets/to-pipeline.ts';
import type { Source } from '../sources/source.ts';
import { ProbeDeckError, invalidParameterError, isInteger } from '../util/is.ts';
import { formatBytes } from '../util/byte-size.ts';
import { checkDestination, checkFolderOutput, existingAncestor, partialName, replacedName, settleLeftovers } from '../util/outputs.ts';
import { EXPORT_FILES, FORMATS, badLabel, type BadCode, type ExportContext } from './formats.ts';

export interface ExportJob {
  source: Source;
  preset: { name: string; body: PresetBody };
  format: ExportFormat;
  outDir: string;
  overwrite?: boolean;
  startSample?: number;
  endSample?: number;
  /** Source channel indices, in output order; all neural channels if absent. */
  channels?: number[];
  ramBudgetBytes?: number;
  calibration?: Calibration | null;
  version: string;
  onProgress?: (p: { doneSamples: number; totalSamples: number; speedX: number; etaS: number | null }) => void;
  signal?: AbortSignal;
}

export interface ExportResult {
  outDir: string;
  files: string[];
  samples: number;
  channels: number;
  seconds: number;
  clamped: number;
  plan: string;
  chunkSamples: number;
  badChannels: ExportContext['badChannels'];
  /** What went wrong after the export was in place (the earlier export it replaced not deleted entirely): said, not a failure. */
  tidyNotes: string[];
}

const SIDECAR_ALLOWANCE = 4 * 2 ** 20;

/** What the destination needs and has, before anything is written. */
export async function exportFootprint(outDir: string, samples: number, channels: number, format: ExportFormat) {
  await checkDestination(outDir, 'folder');
  const parent = dirname(resolve(outDir));
  // The folder that exists on the way (the parent, or an ancestor under which the missing ones are made).
  const existing = await existingAncestor(parent);
  const fsInfo = await statfs(existing);
  const exists = await stat(outDir).then(() => true, () => false);
  const neededBytes = samples * channels * (FORMATS[format].outDtype === 'int16' ? 2 : 4) + SIDECAR_ALLOWANCE;
  return { parent, existing, exists, freeBytes: Number(fsInfo.bavail) * Number(fsInfo.bsize), neededBytes };
}

/**
 * Replacing deletes a folder: only an empty one or an earlier export (its README says so) holding
 * nothing but what exports write qualifies: sorters write their results beside the data.
 */
export async function checkReplaceable(outDir: string) {
  const st = await stat(outDir);
  const refuse = (why: string) => {
    throw new ProbeDeckError('NOT_AN_EXPORT', `${outDir} ${why}: replacing it would delete it; choose another folder`);
  };
  if (!st.isDirectory()) refuse('is a file, not an export folder');
  const entries = await readdir(outDir);
  if (entries.length === 0) return;
  const readme = await readFile(join(outDir, 'README.txt'), 'utf8').catch(() => '');
  if (!readme.startsWith('Exported by ProbeDeck')) refuse('holds files that are not a ProbeDeck export');
  const others = entries.filter((e) => !EXPORT_FILES.has(e));
  if (others.length) refuse(`holds files an export did not write (${others.slice(0, 3).join(', ')}${others.length > 3 ? ', …' : ''})`);
}

async function writeDurably(path: string, data: string | Buffer) {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, data);
  const fh = await open(path, 'r+');
  await fh.sync().finally(() => fh.close());
}

async function syncDir(path: string) {
  const fh = await open(path, 'r');
  await fh.sync().catch(() => {}).finally(() => fh.close()); // not every file system syncs folders
}

function checkJob(j: Pick<ExportJob, 'source' | 'format' | 'startSample' | 'endSample' | 'channels'>, total: number, C: number) {
  if (!(j.format in FORMATS)) throw invalidParameterError('format', 'kilosort, si-binary or raw-f32', j.format);
  const start = j.startSample ?? 0;
  const end = j.endSample ?? total;
  if (!isInteger(start) || !isInteger(end) || start < 0 || end > total || start >= end) {
    const fs = j.source.info.fs;
    const s = (n: number) => `${(n / fs).toFixed(3)} s`;
    const why =
      !isInteger(start) || !isInteger(end) || start < 0
        ? `samples ${start}–${end} are not a range of sample indices`
        : start >= total
          ? `the range starts at ${s(start)} (sample ${start}), ${start === total ? 'at' : 'past'} the recording's end`
          : start >= end
            ? `the range starts at ${s(start)}, not before its end at ${s(end)}`
            : `the range ends at ${s(end)}, past the recording's end`;
    throw new ProbeDeckError('BAD_RANGE', `${why}: the recording has ${total} samples (${s(total)})`);
  }
  const channels = j.channels ?? Array.from({ length: C }, (_, i) => i);
  if (channels.length === 0) throw invalidParameterError('channels', `distinct channel indices from 0 to ${C - 1}`, channels);
  const outside = channels.find((c) => !(isInteger(c) && c >= 0 && c < C));
  if (outside !== undefined) throw new ProbeDeckError('BAD_CHANNELS', `channel ${outside} is not one of the recording's channels 0–${C - 1}`);
  const twice = channels.find((c, i) => channels.indexOf(c) !== i);
  if (twice !== undefined) throw new ProbeDeckError('BAD_CHANNELS', `channel ${twice} is listed twice`);
  return { start, end, channels };
}

/**
 * An int16 export of a float32 file: rounded in the file's own units, data in volts (or any unit
 * coarser than the noise) would become zeros, so it is written in µV instead, a step finer than
 * any probe's own int16 (NP1 2.34 µV).
 */
function int16OfFloat(source: Source, format: ExportFormat): boolean {
  return FORMATS[format]?.outDtype === 'int16' && source.layout.dtype === 'float32';
}

const cannotWrite = (parent: string, code: string | undefined) =>
  new ProbeDeckError('NO_DESTINATION', `cannot write in ${parent} (${code === 'EROFS' ? 'a read-only file system' : 'permission denied'})`);

/**
 * Everything that can be known wrong before anything is written: the range, the channels, and the
 * destination (not the recording, replaceable, writable, with room). export.check runs it so the
 * form says what is wrong before an export starts; runExport runs it again, as things change between.
 * `refuseExisting`: an existing destination is an error (the check instead reports it, to confirm).
 */
export async function preflight(j: Pick<ExportJob, 'source' | 'preset' | 'format' | 'outDir' | 'startSample' | 'endSample' | 'channels' | 'ramBudgetBytes' | 'calibration'>, refuseExisting: boolean) {
  const { info, layout } = j.source;
  const picked = checkJob(j, info.samples, info.channels.length);
  if (int16OfFloat(j.source, j.format) && info.uncalibrated) {
    throw new ProbeDeckError(
      'NO_GAIN',
      `${info.path} is float32 with no µV gain given: Kilosort's int16 would round it to whole units of the file (data in volts would all become 0). Give its µV per unit (--raw-gain-uv, or "µV per unit" in the form), or export si-binary or raw-f32, which keep float32`
    );
  }
  // SpikeInterface's order: the whole probe is processed (its reference is over all channels, or
  // each whole shank), then the picked channels are written; a subset never references itself.
  const pipeline = pipelineFromPreset(j.preset.body.pipeline, info.channels, info.fs, info.probe);
  // Refused up front (no failed export in the history): a recording too short for the preset's steps,
  // and a RAM budget that holds no plan.
  checkLongEnough(info.path, info.samples, info.fs, pipeline);
  const p = plan(
    // The request's budget, else the preset's resources, else the planner's default share of free RAM.
    { ramBudgetBytes: j.ramBudgetBytes ?? j.preset.body.resources.ramBudgetBytes ?? undefined, nWorkers: j.preset.body.resources.nWorkers, channels: info.channels.length, fs: info.fs, dtype: layout.dtype === 'float32' ? 'float32' : 'int16', outDtype: FORMATS[j.format].outDtype, job: 'export', marginSamples: pipeline.filter?.marginSamples ?? 0,
      // A streaming filter's chunks run in order, in one job: the plan's cores go to its workers.
      nJobs: pipeline.filter?.phase === 'stream' ? 1 : undefined,
      // What else runJob's processFile holds per job: the phase shift's wider window and buffer, the µV copy, a subset's columns.
      phaseShiftMarginSamples: pipeline.phaseShift ? phaseShiftMargin(pipeline.phaseShift, info.fs) : 0,
      scaled: FORMATS[j.format].microvolts || int16OfFloat(j.source, j.format),
      outChannels: pickedColumns(picked.channels, info.channels.length)?.length },
    j.calibration ?? null
  );
  checkChunkWindows(info.samples, info.fs, pipeline, picked.start, picked.end, p.chunkSamples);
  const outDir = resolve(j.outDir);
  await checkFolderOutput(outDir, [info.path, layout.path]);
  const where = await exportFootprint(outDir, picked.end - picked.start, picked.channels.length, j.format);
  if (where.exists && refuseExisting) throw new ProbeDeckError('EXISTS', `${outDir} already exists: choose another folder, or confirm replacing it`);
  if (where.exists) await checkReplaceable(outDir);
  await access(where.existing, constants.W_OK).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EACCES' || err.code === 'EPERM' || err.code === 'EROFS') throw cannotWrite(where.existing, err.code);
    throw err;
  });
  if (where.neededBytes > where.freeBytes) {
    throw new ProbeDeckError('NO_SPACE', `the export needs ${formatBytes(where.neededBytes)} but ${where.existing} has ${formatBytes(where.freeBytes)} free`);
  }
  return { ...picked, outDir, where, pipeline, plan: p };
}

export async function runExport(j: ExportJob): Promise<ExportResult> {
  const t0 = performance.now();
  const { info, layout } = j.source;
  // Before the destination is looked at: a replacing export that died between its renames left the
  // earlier export aside, and it is put back where it was. Only here and at startup, not in
  // export.check, which the form sends on every change and which must change nothing on the disk.
  await settleLeftovers(resolve(j.outDir)).catch(() => {}); // best effort, as at startup: the export itself does not need it
  const { start, end, channels: picked, outDir, where, pipeline, plan: p } = await preflight(j, !j.overwrite);
  const spec = FORMATS[j.format];
  const inUv = int16OfFloat(j.source, j.format);
  // Written in µV, its channels say a gain of 1 µV per unit (a reader applying the source's would scale twice).
  const channels = picked.map((i) => (inUv || spec.microvolts ? { ...info.channels[i], gainUv: 1, offsetUv: 0 } : info.channels[i]));
  const all = info.channels;

  const tmp = partialName(outDir);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(where.parent, { recursive: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EACCES' || err.code === 'EPERM' || err.code === 'EROFS') throw cannotWrite(where.existing, err.code);
    throw err;
  });
  await mkdir(tmp).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EACCES' || err.code === 'EPERM' || err.code === 'EROFS') throw cannotWrite(where.parent, err.code);
    throw err;
  });
  let done: Omit<ExportResult, 'tidyNotes'>;
  let replaced: string | null = null;
  try {
    const r = await processFile({
      input: layout.path,
      output: join(tmp, spec.traces),
      channels: all.length,
      fs: info.fs,
      dtype: layout.dtype,
      outDtype: spec.outDtype,
      headerBytes: layout.headerBytes,
      // The source opened it (a SpikeGLX or Open Ephys file cut mid-frame is read to its last whole frame); so does the export.
      frame: { frameChannels: layout.frameChannels, columns: layout.columns, partialLastFrame: true },
      scale: spec.microvolts || inUv ? { gainUv: Float32Array.from(all, (c) => c.gainUv), offsetUv: Float32Array.from(all, (c) => c.offsetUv) } : undefined,
      pipeline,
      outputColumns: picked,
      chunkSamples: p.chunkSamples,
      nJobs: p.nJobs,
      nWorkers: p.nWorkers,
      startSample: start,
      endSample: end,
      signal: j.signal,
      onProgress: (done, total) => {
        const s = (performance.now() - t0) / 1000;
        const rate = done / Math.max(s, 1e-3);
        j.onProgress?.({ doneSamples: done, totalSamples: total, speedX: rate / info.fs, etaS: done > 0 ? (total - done) / rate : null });
      }
    });
    // Bad channels among those written, as rows of the output.
    const detected = r.badChannels;
    const manual = new Set(pipeline.badChannels?.manual ?? []);
    const badIndices = [...new Set([...manual, ...(detected?.bad ?? [])])];
    const badChannels = picked
      .flatMap((index, row) => {
        if (!badIndices.includes(index)) return [];
        const code: BadCode = detected && detected.labels[index] !== 'good' ? (detected.labels[index] as BadCode) : all[index].unused ? 'unused' : 'known';
        return [{ row, id: all[index].id, code, label: badLabel(code) }];
      });
    const ctx: ExportContext = { info, channels, startSample: start, endSample: end, preset: j.preset, createdAt: new Date().toISOString(), version: j.version, badChannels, chunkSamples: p.chunkSamples, marginSamples: pipeline.filter?.marginSamples ?? 0, floatInUv: inUv, clamped: r.clamped };
    const sidecars = spec.sidecars(ctx);
    for (const [file, data] of Object.entries(sidecars)) await writeDurably(join(tmp, file), data);
    // The folders' entries too, before the folder takes its name: a power cut after the rename
    // could otherwise leave the export there without some of its files.
    for (const folder of new Set(Object.keys(sidecars).map((f) => dirname(join(tmp, f))))) await syncDir(folder);
    j.signal?.throwIfAborted();
    if (where.exists) {
      // Checked again at the last moment: a sorter run on the earlier export while this one ran may
      // have written its results into the folder, and they would be deleted with it.
      await checkReplaceable(outDir);
      // Replace: the old export moves aside first, so a failure between the renames still leaves one whole export.
      const old = replacedName(outDir);
      await rename(outDir, old);
      await rename(tmp, outDir).catch(async (err: NodeJS.ErrnoException) => {
        // Put back, or the earlier export would stay under its hidden name; if even that fails, said where it is.
        await rename(old, outDir).catch(() => {
          throw new ProbeDeckError('REPLACE_FAILED', `${outDir} could not be replaced (${err.message}), nor the earlier export put back: it is at ${old}`);
        });
        throw err;
      });
      replaced = old;
    } else {
      await rename(tmp, outDir).catch((err: NodeJS.ErrnoException) => {
        // Another export (or anything else) made the folder while this one ran: it is left as it is.
        if (err.code === 'ENOTEMPTY' || err.code === 'EEXIST') throw new ProbeDeckError('EXISTS', `${outDir} appeared while this export ran (another export to it?): it was left as it is, and this export not kept`);
        throw err;
      });
    }
    done = { outDir, files: [spec.traces, ...Object.keys(sidecars)], samples: r.samples, channels: channels.length, seconds: (performance.now() - t0) / 1000, clamped: r.clamped, plan: p.reason, chunkSamples: p.chunkSamples, badChannels };
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    if (j.signal?.aborted) throw new ProbeDeckError('CANCELLED', `the export was cancelled; nothing was written to ${outDir}`);
    const code = (err as NodeJS.ErrnoException).code;
    // A preset made for another stream (an AP preset on an LFP stream): say which, and at what rate.
    if (code === 'FREQUENCY_OUT_OF_RANGE') throw new ProbeDeckError(code, `the preset "${j.preset.name}" cannot run on ${info.stream} (${info.fs} Hz): ${(err as Error).message}`);
    const left = where.exists ? `the export already at ${outDir} is left as it was` : `nothing was left at ${outDir}`;
    if (code === 'ENOSPC' || code === 'EDQUOT') throw new ProbeDeckError('NO_SPACE', `the disk holding ${where.parent} filled up during the export; ${left}`);
    throw err;
  }
  // The export is in place: what is left is to make its name durable, then delete the export it
  // replaced. Neither undoes it, so a failure is said beside it (a file of the old one held open on
  // Windows, say), not reported as a failed export.
  const tidyNotes: string[] = [];
  const why = (err: unknown) => (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  await syncDir(where.parent).catch((err) => tidyNotes.push(`${where.parent} could not be synced (${why(err)}): a power cut before the system writes it could lose the export's name`));
  if (replaced) await rm(replaced, { recursive: true, force: true }).catch((err) => tidyNotes.push(`the export it replaced could not be deleted entirely (${why(err)}): what is left of it is at ${replaced}`));
  return { ...done, tidyNotes };
}
