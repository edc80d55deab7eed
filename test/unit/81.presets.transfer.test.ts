import { describe, expect, it } from 'vitest';
import { BUILTIN_PRESETS } from '../../main/presets/builtins.ts';
import { fromSpikeInterface, toSpikeInterface } from '../../main/presets/si-pipeline.ts';
import { exportPreset, parsePresetFile } from '../../main/presets/transfer.ts';
import { createHost } from '../../main/api/host.ts';
import type { Preset } from '../../main/api/domains/presets.ts';
import { join } from 'node:path';
import { tempDir } from './helpers.ts';

const ap = BUILTIN_PRESETS[0].body;

describe('SpikeInterface pipeline dict', () => {
  it('writes the Neuropixels AP preset as SI steps', () => {
    expect(toSpikeInterface(ap)).toEqual({
      // float32 between steps, as ProbeDeck computes: left to its parent's int16, each step would round.
      bandpass_filter: { freq_min: 300, freq_max: 6000, filter_order: 5, ftype: 'butter', direction: 'forward-backward', dtype: 'float32' },
      common_reference: { reference: 'global', operator: 'median', dtype: 'float32' }
    });
  });

  it('round-trips every built-in through the SI dict (streaming comes back as SI’s causal filter)', () => {
    for (const b of BUILTIN_PRESETS) {
      // A per-shank reference needs the recording's channel ids in SpikeInterface: refused, not written as global.
      if (b.body.pipeline.reference.mode === 'group') {
        expect(() => toSpikeInterface(b.body)).toThrow(/per-shank reference has no SpikeInterface pipeline-dict form.*split_by\("group"\)/);
        continue;
      }
      const expected = structuredClone(b.body.pipeline);
      // SpikeInterface has no carried filter state: a live "stream" preset exports as direction "forward".
      if (expected.filter.phase === 'stream') expected.filter.phase = 'causal';
      // A causal filter's default margin (causal_filter's 5 ms) is written out: bandpass_filter's "auto" is another.
      if (expected.filter.phase === 'causal' && expected.filter.kind !== 'none') expected.filter.marginMs ??= 5;
      expect(fromSpikeInterface(toSpikeInterface(b.body), b.body).pipeline).toEqual(expected);
    }
  });

  it('writes steps SpikeInterface runs: the mean as "average", detection as detect_and_remove_bad_channels; known bad channels are refused, not dropped', () => {
    const body = structuredClone(ap);
    body.pipeline.reference.operator = 'mean';
    body.pipeline.badChannels = { detect: 'coherence+psd', manual: [] };
    const dict = toSpikeInterface(body);
    // Detection first: SpikeInterface then looks at the raw traces high-passed at 300 Hz, as ProbeDeck
    // does; after the band-pass, a noisy channel's power above 6 kHz would be filtered away.
    expect(Object.keys(dict)).toEqual(['detect_and_remove_bad_channels', 'bandpass_filter', 'common_reference']);
    expect(dict.common_reference).toEqual({ reference: 'global', operator: 'average', dtype: 'float32' });
    expect(dict.detect_and_remove_bad_channels).toEqual({ method: 'coherence+psd' });
    expect(fromSpikeInterface(dict, ap).pipeline).toEqual(body.pipeline);
    body.pipeline.badChannels.manual = [77, 191];
    expect(() => toSpikeInterface(body)).toThrow(/known bad channels \(77, 191\) have no SpikeInterface pipeline-dict form.*recording\.remove_channels\(recording\.channel_ids\[\[77, 191\]\]\)/);
  });

  it('reads the IBL-style chain highpass → bad channels → phase shift → local CMR', () => {
    const body = fromSpikeInterface(
      {
        highpass_filter: { freq_min: 400.0 },
        detect_bad_channels: { method: 'coherence+psd' },
        phase_shift: {},
        common_reference: { reference: 'local', operator: 'median', local_radius: [40, 160] }
      },
      ap
    );
    expect(body.pipeline.filter).toMatchObject({ kind: 'highpass', lowHz: 400, phase: 'zero' });
    expect(body.pipeline.badChannels.detect).toBe('coherence+psd');
    expect(body.pipeline.phaseShift.method).toBe('fft');
    expect(body.pipeline.reference).toMatchObject({ mode: 'local', innerUm: 40, outerUm: 160 });
  });

  it('writes only arguments SpikeInterface takes: no FIR phase shift, no single-channel index, no low-pass; an LFP band says it is meant', () => {
    const body = structuredClone(ap);
    body.pipeline.phaseShift = { method: 'fft', taps: 32 };
    expect(toSpikeInterface(body).phase_shift).toEqual({ margin_ms: 40.0, dtype: 'float32' }); // phase_shift(recording, margin_ms, inter_sample_shift, dtype)
    body.pipeline.phaseShift.method = 'fir';
    expect(() => toSpikeInterface(body)).toThrow(/^the FIR phase shift \(32 taps\) has no SpikeInterface form: SpikeInterface's phase_shift is the FFT method\. Export a copy of this preset with the phase shift set to FFT/);
    body.pipeline.phaseShift.method = 'none';
    body.pipeline.reference = { ...body.pipeline.reference, mode: 'single', channel: 5 };
    expect(() => toSpikeInterface(body)).toThrow(/single-channel reference \(channel index 5\) has no SpikeInterface pipeline-dict form.*ref_channel_ids=\[recording\.channel_ids\[5\]\]/);
    body.pipeline.reference.mode = 'global';
    body.pipeline.filter = { ...body.pipeline.filter, kind: 'lowpass', lowHz: null, highHz: 500 };
    expect(() => toSpikeInterface(body)).toThrow(/low-pass filter \(500 Hz\) has no SpikeInterface pipeline-dict form: SpikeInterface's filter\(\) takes btype "bandpass" or "highpass" only/);
    const lfp = BUILTIN_PRESETS.find((b) => b.name === 'Neuropixels LFP')!.body;
    // SpikeInterface refuses freq_min under 100 Hz unless ignore_low_freq_error is set; 300 Hz needs nothing.
    expect(toSpikeInterface(lfp).bandpass_filter).toMatchObject({ freq_min: 0.5, freq_max: 500, ignore_low_freq_error: true });
    expect(toSpikeInterface(ap).bandpass_filter).not.toHaveProperty('ignore_low_freq_error');
  });

  it('reads SpikeInterface’s defaults for steps given without arguments', () => {
    const filterOf = (dict: object) => fromSpikeInterface(dict, ap).pipeline.filter;
    const band = { kind: 'bandpass', order: 5, lowHz: 300, highHz: 6000 };
    expect(filterOf({ bandpass_filter: {} })).toMatchObject({ ...band, phase: 'zero' });
    expect(filterOf({ filter: {} })).toMatchObject({ ...band, phase: 'zero' });
    expect(filterOf({ causal_filter: {} })).toMatchObject({ ...band, phase: 'causal' });
    expect(filterOf({ highpass_filter: {} })).toMatchObject({ kind: 'highpass', lowHz: 300 });
    expect(filterOf({ filter: { btype: 'highpass', band: 400 } })).toMatchObject({ kind: 'highpass', lowHz: 400 });
    expect(() => filterOf({ filter: { band: 400 } })).toThrow(/^filter: btype "bandpass" needs band as \[low, high\] in Hz, got 400$/);
    expect(() => filterOf({ bandpass_filter: { freq_min: '300' } })).toThrow(/^bandpass_filter: "freq_min" must be a number, got "300"$/);
  });

  it('refuses what it would otherwise drop: a backward causal filter, reference groups, chosen global channels, an empty dict', () => {
    expect(() => fromSpikeInterface({ causal_filter: { direction: 'backward' } }, ap)).toThrow(/^causal_filter: direction "backward" is not supported: ProbeDeck filters causally forward/);
    expect(() => fromSpikeInterface({ common_reference: { reference: 'global', groups: [[0, 1], [2, 3]] } }, ap)).toThrow(
      /^common_reference: "groups" is not supported: ProbeDeck references each shank from the probe’s own layout.*Remove "groups" to import a global reference.*"per shank" reference/
    );
    expect(() => fromSpikeInterface({ common_reference: { ref_channel_ids: [3, 4] } }, ap)).toThrow(/global reference over chosen channels \(ref_channel_ids\) is not supported/);
    expect(() => fromSpikeInterface({ phase_shift: { inter_sample_shift: [0, 0.5] } }, ap)).toThrow(/phase_shift: inter_sample_shift is not supported/);
    expect(() => fromSpikeInterface({}, ap)).toThrow(/^the SpikeInterface pipeline dict is empty: it names no steps/);
    // Steps SpikeInterface would run in another order, or twice, than ProbeDeck runs them.
    expect(() => fromSpikeInterface({ bandpass_filter: {}, common_reference: {}, detect_and_remove_bad_channels: {} }, ap)).toThrow(
      /^detect_and_remove_bad_channels after common_reference: ProbeDeck re-references last.*Put common_reference last$/
    );
    expect(() => fromSpikeInterface({ common_reference: {}, phase_shift: {} }, ap)).toThrow(/^phase_shift after common_reference/);
    expect(() => fromSpikeInterface({ highpass_filter: {}, bandpass_filter: {} }, ap)).toThrow(/^bandpass_filter after highpass_filter: ProbeDeck runs one filter, where SpikeInterface would run both/);
    // A forward band-pass without a margin takes SpikeInterface's "auto" (5 periods of freq_min), not causal_filter's 5 ms.
    expect(fromSpikeInterface({ bandpass_filter: { direction: 'forward' } }, ap).pipeline.filter.marginMs).toBeCloseTo(5000 / 300, 9);
    expect(fromSpikeInterface({ causal_filter: {} }, ap).pipeline.filter.marginMs).toBeNull();
    expect(() => parsePresetFile('{}')).toThrow(/pipeline dict is empty/);
  });

  it('names the step it cannot run', () => {
    expect(() => fromSpikeInterface({ bandpass_filter: {}, whiten: { mode: 'local' } }, ap)).toThrow(/the SpikeInterface step "whiten" is not supported/);
    expect(() => fromSpikeInterface({ bandpass_filter: { ftype: 'cheby1' } }, ap)).toThrow(/bandpass_filter: ftype "cheby1" is not supported/);
    // An argument SpikeInterface does not have (a typo) or ProbeDeck does not honour is refused by name, never dropped.
    expect(() => fromSpikeInterface({ highpass_filter: { freqmin: 150 } }, ap)).toThrow(/^highpass_filter: no argument "freqmin" \(highpass_filter takes freq_min, /);
    expect(() => fromSpikeInterface({ bandpass_filter: { kwargs: { freq_min: 150 } } }, ap)).toThrow(/^bandpass_filter: no argument "kwargs"/);
    expect(() => fromSpikeInterface({ filter: { coeff: [[1, 0, 0, 1, 0, 0]] } }, ap)).toThrow(/^filter: no argument "coeff"/);
    expect(() => fromSpikeInterface({ detect_bad_channels: { method: 'mad', std_mad_threshold: 3 } }, ap)).toThrow(/^detect_bad_channels: "std_mad_threshold" is not supported: ProbeDeck detects with SpikeInterface's default thresholds/);
    expect(() => fromSpikeInterface({ phase_shift: { margin_ms: 10 } }, ap)).toThrow(/^phase_shift: margin_ms 10 is not supported/);
    expect(fromSpikeInterface({ bandpass_filter: { freq_min: 300, freq_max: 6000, dtype: 'float32', margin_ms: 5 }, phase_shift: { margin_ms: 40 } }, ap).pipeline.filter).toMatchObject({ lowHz: 300, marginMs: 5 });
    expect(() => fromSpikeInterface({ common_reference: { operator: 'max' } }, ap)).toThrow(/operator "max"/);
  });
  it('takes margin_ms 0 (no real neighbours), as SpikeInterface and `process --margin-ms 0` do, and refuses a negative one', async () => {
    const body = fromSpikeInterface({ bandpass_filter: { freq_min: 300, freq_max: 6000, margin_ms: 0 } }, ap);
    expect(body.pipeline.filter).toMatchObject({ marginMs: 0 });
    const host = createHost({ dataDir: join(tempDir(), 'data'), transport: 'websocket' });
    try {
      const saved = (await host.call('presets.import', { text: JSON.stringify({ bandpass_filter: { freq_min: 300, freq_max: 6000, margin_ms: 0 } }) })) as Preset;
      expect(saved.body.pipeline.filter?.marginMs).toBe(0);
      await expect(host.call('presets.import', { text: JSON.stringify({ bandpass_filter: { margin_ms: -5 } }) })).rejects.toThrow(/a number of 0 or more for "pipeline\.filter\.marginMs"/);
    } finally {
      host.close();
    }
  });
  it('refuses a margin beyond a minute (1e9 ms, a value in another unit), naming the field and the bound, however the preset comes in', async () => {
    const host = createHost({ dataDir: join(tempDir(), 'data'), transport: 'websocket' });
    const said = /^Expected a margin of 0 to 60000 ms \(60 s of real neighbours read on each side of every chunk\) for "pipeline\.filter\.marginMs" but received 1000000000$/;
    try {
      const filter = { ...ap.pipeline.filter!, marginMs: 1e9 };
      await expect(host.call('presets.create', { name: 'Huge margin', body: { ...ap, pipeline: { ...ap.pipeline, filter } } })).rejects.toThrow(said);
      await expect(host.call('presets.import', { text: JSON.stringify({ bandpass_filter: { freq_min: 300, freq_max: 6000, margin_ms: 1e9 } }) })).rejects.toThrow(said);
      const file = exportPreset({ id: 1, name: 'Rig', builtin: false, body: ap, createdAt: '', updatedAt: '', deletedAt: null }, 'probedeck').replace('"marginMs": null', '"marginMs": 1000000000');
      expect(file).toContain('1000000000');
      await expect(host.call('presets.import', { text: file })).rejects.toThrow(said);
      // A minute is still a margin: 5 periods of a 0.1 Hz corner is 50 s.
      const slow = (await host.call('presets.import', { text: JSON.stringify({ highpass_filter: { freq_min: 0.1, margin_ms: 60000 } }) })) as Preset;
      expect(slow.body.pipeline.filter?.marginMs).toBe(60000);
    } finally {
      host.close();
    }
  });
});

describe('ProbeDeck preset files', () => {
  it('export → import gives the same preset', () => {
    const text = exportPreset({ id: 1, name: 'Rig', builtin: false, body: ap, createdAt: '', updatedAt: '', deletedAt: null }, 'probedeck');
    expect(JSON.parse(text)).toMatchObject({ format: 'probedeck-preset', version: 1, name: 'Rig' });
    expect(parsePresetFile(text)).toEqual({ name: 'Rig', body: ap });
    // float64 is written as before there was a choice, so an older ProbeDeck (which refuses fields it
    // does not know) still reads it; float32, which it could not honour, is written and read back.
    expect(JSON.parse(text).body.pipeline.filter).not.toHaveProperty('precision');
    const f32 = { ...ap, pipeline: { ...ap.pipeline, filter: { ...ap.pipeline.filter, precision: 'float32' as const } } };
    const text32 = exportPreset({ id: 1, name: 'Rig', builtin: false, body: f32, createdAt: '', updatedAt: '', deletedAt: null }, 'probedeck');
    expect(JSON.parse(text32).body.pipeline.filter.precision).toBe('float32');
    expect(parsePresetFile(text32)).toEqual({ name: 'Rig', body: f32 });
  });
  it('refuses newer versions and broken JSON clearly', () => {
    expect(() => parsePresetFile('{"format":"probedeck-preset","version":9,"body":{}}')).toThrow(/version 9; this ProbeDeck reads up to version 1/);
    expect(() => parsePresetFile('{nope')).toThrow(/neither JSON nor a Python dict/);
  });
  it('reads a pipeline dict as Python prints it (quotes, True/None, tuples, trailing commas)', () => {
    const py = "{'bandpass_filter': {'freq_min': 300.0, 'freq_max': 6000.0, 'margin_ms': None},\n 'phase_shift': {},\n 'common_reference': {'operator': 'median', 'reference': 'global'},}";
    const fromPy = parsePresetFile(py);
    const fromJson = parsePresetFile(JSON.stringify({ bandpass_filter: { freq_min: 300, freq_max: 6000 }, phase_shift: {}, common_reference: { operator: 'median', reference: 'global' } }));
    expect(fromPy).toEqual(fromJson);
    expect(fromPy.body.pipeline.filter).toMatchObject({ kind: 'bandpass', lowHz: 300, highHz: 6000 });
    expect(() => parsePresetFile("{'bandpass_filter': {'freq_min': np.float64(300.0)}}")).toThrow(
      /^the preset file must be JSON \(in Python: json\.dumps\(the_dict\)\) or a plain Python dict, but it holds np\.float64\(300\.0\), which neither can carry$/
    );
  });
  it('names the field of a preset file that has the wrong type', () => {
    const body = JSON.stringify(ap);
    expect(() => parsePresetFile(`{"format":"probedeck-preset","version":"1","body":${body}}`)).toThrow(/"version" must be a whole number such as 1, got "1"/);
    expect(() => parsePresetFile(`{"format":"probedeck-preset","version":1,"name":{"a":1},"body":${body}}`)).toThrow(/"name" must be a text, got \{"a":1\}/);
    expect(() => parsePresetFile(`{"format":"probedeck","version":1,"body":${body}}`)).toThrow(/"format" is "probedeck"; a ProbeDeck preset file says "probedeck-preset"/);
    // A hand-written list of bad channels: the entry at fault, where it said 'received an array of length 3'.
    const listed = (manual: unknown[]) => parsePresetFile(`{"format":"probedeck-preset","version":1,"body":${JSON.stringify({ ...ap, pipeline: { ...ap.pipeline, badChannels: { detect: 'none', manual } } })}}`);
    expect(() => listed([40, 'AP12', 120])).toThrow('Expected a channel index (a whole number from 0 to 65535; AP12 is 12) for "pipeline.badChannels.manual[1]" but received the string "AP12"');
    expect(() => listed([40, 120, -1])).toThrow('for "pipeline.badChannels.manual[2]" but received -1');
    expect(listed([40, 120]).body.pipeline.badChannels.manual).toEqual([40, 120]);
  });
  it('refuses a field it does not know (a typo would otherwise be dropped and the preset do something else)', () => {
    const typo = structuredClone(ap) as unknown as { pipeline: { filter: Record<string, unknown> }; display: Record<string, unknown> };
    typo.pipeline.filter.marginMS = 10;
    typo.display.colourmap = 'gray';
    const file = (body: unknown, extra = '') => `{"format":"probedeck-preset","version":1,"name":"rig 3"${extra},"body":${JSON.stringify(body)}}`;
    expect(() => parsePresetFile(file(typo))).toThrow(/the preset file has fields this ProbeDeck does not know: body\.pipeline\.filter\.marginMS, body\.display\.colourmap; nothing was imported/);
    expect(() => parsePresetFile(file(ap, ',"comment":"from rig 2"'))).toThrow(/a field this ProbeDeck does not know: comment;/);
    expect(parsePresetFile(file(ap)).body).toEqual(ap);
  });
});

describe('importing through the host API (real SQLite file)', () => {
  it('a name from the file takes a number when taken; a name typed in must be free', async () => {
    const host = createHost({ dataDir: join(tempDir(), 'data'), transport: 'websocket' });
    try {
      const dict = JSON.stringify({ bandpass_filter: { freq_min: 300, freq_max: 6000 } });
      const names = [];
      for (let i = 0; i < 2; i++) names.push(((await host.call('presets.import', { text: dict })) as Preset).name);
      expect(names).toEqual(['Imported from SpikeInterface', 'Imported from SpikeInterface (2)']);
      const own = (await host.call('presets.export', { id: 1, format: 'probedeck' })) as string;
      expect(((await host.call('presets.import', { text: own })) as Preset).name).toBe('Neuropixels AP (2)');
      await expect(host.call('presets.import', { text: dict, name: 'Neuropixels AP' })).rejects.toThrow(/A preset named "Neuropixels AP" already exists/);
    } finally {
      host.close();
    }
  });
});
