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
      bandpass_filter: { freq_min: 300, freq_max: 6000, filter_order: 5, ftype: 'butter', direction: 'forward-backward' },
      common_reference: { reference: 'global', operator: 'median' }
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
      expect(fromSpikeInterface(toSpikeInterface(b.body), b.body).pipeline).toEqual(expected);
    }
  });

  it('writes steps SpikeInterface runs: the mean as "average", detection as detect_and_remove_bad_channels; known bad channels are refused, not dropped', () => {
    const body = structuredClone(ap);
    body.pipeline.reference.operator = 'mean';
    body.pipeline.badChannels = { detect: 'coherence+psd', manual: [] };
    const dict = toSpikeInterface(body);
    expect(Object.keys(dict)).toEqual(['bandpass_filter', 'detect_and_remove_bad_channels', 'common_reference']);
    expect(dict.common_reference).toEqual({ reference: 'global', operator: 'average' });
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

  it('names the step it cannot run', () => {
    expect(() => fromSpikeInterface({ bandpass_filter: {}, whiten: { mode: 'local' } }, ap)).toThrow(/the SpikeInterface step "whiten" is not supported/);
    expect(() => fromSpikeInterface({ bandpass_filter: { ftype: 'cheby1' } }, ap)).toThrow(/bandpass_filter: ftype "cheby1" is not supported/);
    expect(() => fromSpikeInterface({ common_reference: { operator: 'max' } }, ap)).toThrow(/operator "max"/);
  });
});

describe('ProbeDeck preset files', () => {
  it('export → import gives the same preset', () => {
    const text = exportPreset({ id: 1, name: 'Rig', builtin: false, body: ap, createdAt: '', updatedAt: '', deletedAt: null }, 'probedeck');
    expect(JSON.parse(text)).toMatchObject({ format: 'probedeck-preset', version: 1, name: 'Rig' });
    expect(parsePresetFile(text)).toEqual({ name: 'Rig', body: ap });
  });
  it('refuses newer versions and broken JSON clearly', () => {
    expect(() => parsePresetFile('{"format":"probedeck-preset","version":9,"body":{}}')).toThrow(/version 9; this ProbeDeck reads up to version 1/);
    expect(() => parsePresetFile('{nope')).toThrow(/neither JSON nor a Python dict/);
  });
  it('reads a pipeline dict as Python prints it (quotes, True/None, tuples, trailing commas)', () => {
    const py = "{'bandpass_filter': {'freq_min': 300.0, 'freq_max': 6000.0, 'margin_ms': None},\n 'common_reference': {'operator': 'median', 'reference': 'global'},\n 'phase_shift': {},}";
    const fromPy = parsePresetFile(py);
    const fromJson = parsePresetFile(JSON.stringify({ bandpass_filter: { freq_min: 300, freq_max: 6000 }, common_reference: { operator: 'median', reference: 'global' }, phase_shift: {} }));
    expect(fromPy).toEqual(fromJson);
    expect(fromPy.body.pipeline.filter).toMatchObject({ kind: 'bandpass', lowHz: 300, highHz: 6000 });
    expect(() => parsePresetFile("{'bandpass_filter': {'freq_min': np.float64(300)}}")).toThrow(/neither JSON nor a Python dict/);
  });
  it('names the field of a preset file that has the wrong type', () => {
    const body = JSON.stringify(ap);
    expect(() => parsePresetFile(`{"format":"probedeck-preset","version":"1","body":${body}}`)).toThrow(/"version" must be a whole number such as 1, got "1"/);
    expect(() => parsePresetFile(`{"format":"probedeck-preset","version":1,"name":{"a":1},"body":${body}}`)).toThrow(/"name" must be a text, got \{"a":1\}/);
    expect(() => parsePresetFile(`{"format":"probedeck","version":1,"body":${body}}`)).toThrow(/"format" is "probedeck"; a ProbeDeck preset file says "probedeck-preset"/);
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
