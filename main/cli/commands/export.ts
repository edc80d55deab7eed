// probedeck export: a recording through a preset into files a sorter opens (Kilosort, a
// SpikeInterface binary folder, or float32 µV), atomically, with progress; Ctrl-C cancels cleanly.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ExportFormat, ExportRequest } from '../../api/domains/export.ts';
import { openDatabase } from '../../db/database.ts';
import { engineInfo } from '../../engine/index.ts';
import { exportHistory } from '../../export/history-repo.ts';
import { presetWarnings } from '../../export/notes.ts';
import { clampedNote } from '../../export/formats.ts';
import { resolveExport } from '../../export/manager.ts';
import { preflight, runExport } from '../../export/run-export.ts';
import { machineKey } from '../../planner/calibrate.ts';
import { ramBudgetOption } from '../ram-budget-option.ts';
import { calibrationRepo } from '../../planner/repo.ts';
import { presetsRepo } from '../../presets/repo.ts';
import { parsePresetFile } from '../../presets/transfer.ts';
import { settingsDatabase } from '../../util/paths.ts';
import { parseChannelList } from '../../util/channel-list.ts';
import { settleInterrupted } from '../../util/outputs.ts';
import { CliError, type Command } from '../command.ts';
import type { ProbeDeckError } from '../../util/is.ts';
import { progressLine } from '../progress.ts';
import { formatSpeed } from '../../util/speed.ts';

const USAGE = `usage: probedeck export <source> (--preset NAME | --preset-file FILE) --format kilosort|si-binary|raw-f32
    --out DIR [--overwrite] [--start S] [--end S] [--channels LIST] [--stream NAME] [--ram-budget B]
    [--raw-channels C --raw-fs HZ [--raw-dtype int16|uint16|float32] [--raw-gain-uv G]] [--data-dir DIR]

<source> is a SpikeGLX .bin (with its .meta), an Open Ephys recording folder (--stream picks one of
its streams, as probedeck info lists them; the AP stream by default), or a raw file given
--raw-channels and --raw-fs (and --raw-gain-uv, its µV per unit: without it the file's own units are
written and labelled so). --start/--end are seconds; --channels takes indices and ranges such as
0-191,200. DIR must not exist (or give --overwrite). Nothing appears at DIR until the export is
complete; Ctrl-C cancels and leaves nothing behind.`;

function seconds(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new CliError(`--${name} must be seconds from 0, got "${v}"`, 2);
  return n;
}

// The raw-file options are checked here, naming the option: the host's check would name "fs".
function rawDtype(v: string | undefined): 'int16' | 'uint16' | 'float32' {
  if (v === undefined) return 'int16';
  if (v === 'int16' || v === 'uint16' || v === 'float32') return v;
  throw new CliError(`--raw-dtype must be int16, uint16 or float32, got "${v}"`, 2);
}

function rawNumber(name: string, v: string | undefined, what: string, integer = false): number {
  if (v === undefined) throw new CliError(`--${name} is needed with --raw-channels (${what})`, 2);
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new CliError(`--${name} must be ${what}, got "${v}"`, 2);
  return n;
}


export const exportCommand: Command = {
  summary: 'export a recording through a preset for Kilosort or SpikeInterface (atomic, with progress)',
  usage: USAGE,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        preset: { type: 'string' },
        'preset-file': { type: 'string' },
        stream: { type: 'string' },
        format: { type: 'string' },
        out: { type: 'string' },
        overwrite: { type: 'boolean' },
        start: { type: 'string' },
        end: { type: 'string' },
        channels: { type: 'string' },
        'ram-budget': { type: 'string' },
        'raw-channels': { type: 'string' },
        'raw-gain-uv': { type: 'string' },
        'raw-fs': { type: 'string' },
        'raw-dtype': { type: 'string' },
        'data-dir': { type: 'string' }
      }
    });
    if (positionals.length !== 1) throw new CliError(`expected one source\n${USAGE}`, 2);
    if (!values.out) throw new CliError(`--out is required\n${USAGE}`, 2);
    if (!['kilosort', 'si-binary', 'raw-f32'].includes(values.format ?? '')) throw new CliError(`--format must be kilosort, si-binary or raw-f32, got "${values.format ?? ''}"`, 2);
    if ((values.preset === undefined) === (values['preset-file'] === undefined)) throw new CliError(`give one of --preset NAME or --preset-file FILE\n${USAGE}`, 2);
    const ramBudgetBytes = ramBudgetOption(values['ram-budget']);

    const { db, notices } = openDatabase(settingsDatabase(values['data-dir']));
    for (const n of notices) console.error(`probedeck: ${n.message}`);
    const abort = new AbortController();
    // A cancelled run exits as the shell expects of a command a signal stopped: 128 + its number
    // (130 for Ctrl-C), so a script running exports in a loop stops instead of going on to the next.
    let signalled: number | null = null;
    const onSigint = () => ((signalled ??= 130), abort.abort());
    const onSigterm = () => ((signalled ??= 143), abort.abort());
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigterm);
    try {
      const presets = presetsRepo(db);
      let preset: ExportRequest['preset'];
      if (values.preset !== undefined) {
        const found = presets.list().find((p) => p.name.toLowerCase() === values.preset!.toLowerCase());
        if (!found) throw new CliError(`no preset named "${values.preset}" (see probedeck presets list)`);
        preset = { id: found.id };
      } else {
        let text: string;
        try {
          text = readFileSync(values['preset-file']!, 'utf8');
        } catch (err) {
          throw new CliError(`cannot read ${values['preset-file']}: ${(err as Error).message}`);
        }
        preset = parsePresetFile(text);
      }
      const rawOrphan = ['raw-fs', 'raw-dtype', 'raw-gain-uv'].filter((f) => values[f as 'raw-fs'] !== undefined);
      if (values['raw-channels'] === undefined && rawOrphan.length) throw new CliError(`--${rawOrphan.join(', --')} describe${rawOrphan.length > 1 ? '' : 's'} a raw binary file: give --raw-channels too`, 2);
      const raw =
        values['raw-channels'] === undefined
          ? undefined
          : {
              channels: rawNumber('raw-channels', values['raw-channels'], 'the channel count, a whole number above 0', true),
              fs: rawNumber('raw-fs', values['raw-fs'], 'the sampling rate in Hz, above 0'),
              dtype: rawDtype(values['raw-dtype']),
              gainUv: values['raw-gain-uv'] === undefined ? undefined : rawNumber('raw-gain-uv', values['raw-gain-uv'], 'µV per unit, above 0')
            };
      const req: ExportRequest = {
        source: resolve(positionals[0]),
        stream: values.stream,
        raw,
        preset,
        format: values.format as ExportFormat,
        outDir: values.out,
        overwrite: values.overwrite,
        startS: seconds('start', values.start),
        endS: seconds('end', values.end),
        channels: values.channels === undefined ? undefined : parseChannelList(values.channels)
      };
      const r = await resolveExport(req, presets).catch((err: ProbeDeckError) => {
        // The source layer cannot know this command's flag names.
        if (err.code === 'MISSING_META' || err.code === 'UNKNOWN_FORMAT') throw new CliError(`${err.message} (--raw-channels C --raw-fs HZ)`);
        throw err;
      });
      // Refused before it has a history row (a range past the end is a typing mistake, not a failed export).
      const calibration = calibrationRepo(db).get(machineKey());
      await preflight({ ...r, format: req.format, outDir: req.outDir, channels: req.channels, ramBudgetBytes, calibration }, !req.overwrite).catch(async (err: unknown) => {
        await r.source.close();
        // Confirming, on the command line, is a flag.
        if ((err as ProbeDeckError).code === 'EXISTS') throw new CliError(`${(err as Error).message} (--overwrite)`);
        throw err;
      });
      // The export history is bookkeeping: a full settings disk leaves this export out of it, said
      // on stderr, and the export goes ahead (its destination may be another disk).
      const history = exportHistory(db);
      const record = (what: () => void) => {
        try {
          what();
        } catch (err) {
          console.error(`probedeck: not kept in the export history (${(err as Error).message})`);
        }
      };
      try {
        await settleInterrupted(history.markInterrupted());
      } catch {} // said once, below, if the history cannot take this export either
      for (const w of r.source.info.warnings ?? []) console.error(`probedeck: warning: ${r.source.info.path}: ${w}`);
      // A recording with its own metadata is read as that says: the raw flags typed are not used.
      if (raw && r.source.info.format !== 'raw') {
        const i = r.source.info;
        console.error(`probedeck: warning: --raw-* left aside: ${i.path} is a ${i.format} recording, read as its metadata says (${i.channels.length} channels at ${i.fs} Hz)`);
      }
      const progress = progressLine('export', r.source.info.fs);
      const samples = (r.endSample ?? r.source.info.samples) - (r.startSample ?? 0);
      let id = -1;
      const startS = (r.startSample ?? 0) / r.source.info.fs;
      record(() => (id = history.start({ source: req.source, format: req.format, presetName: r.preset.name, outDir: resolve(req.outDir), channels: req.channels?.length ?? r.source.info.channels.length, samples, startS, endS: startS + samples / r.source.info.fs, channelList: values.channels?.trim() ?? null })));
      try {
        const res = await runExport({
          ...r,
          format: req.format,
          outDir: req.outDir,
          overwrite: req.overwrite,
          channels: req.channels,
          ramBudgetBytes,
          calibration,
          version: engineInfo().version,
          signal: abort.signal,
          onProgress: (p) => progress.update(p.doneSamples, p.totalSamples)
        });
        progress.done();
        if (id >= 0) record(() => history.finish(id, 'done', res.seconds, null));
        const x = res.samples / r.source.info.fs / res.seconds;
        console.error(`exported ${res.samples} samples × ${res.channels} ch in ${res.seconds.toFixed(2)} s (${formatSpeed(x)}× real time; chunks of ${res.chunkSamples} samples; ${res.plan})`);
        if (res.badChannels.length) console.error(`bad channels, kept out of the reference: ${res.badChannels.map((b) => `${b.id} (${b.label})`).join(', ')}`);
        if (res.clamped) console.error(`probedeck: warning: ${clampedNote(res.clamped)} (said in its README too)`);
        // Said again at the end, where a user reads the outcome (the source's own warnings came first).
        for (const w of presetWarnings(r.source.info, r.preset)) console.error(`probedeck: warning: ${w} (said in its README too)`);
        for (const n of res.tidyNotes) console.error(`probedeck: warning: ${n}`);
        console.log(res.outDir);
        return 0;
      } catch (err) {
        progress.done();
        if (id >= 0) record(() => history.finish(id, abort.signal.aborted ? 'cancelled' : 'failed', null, (err as Error).message));
        if (signalled !== null && abort.signal.aborted) throw new CliError((err as Error).message, signalled);
        throw err;
      } finally {
        await r.source.close();
      }
    } finally {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigterm);
      db.close();
    }
  }
};
