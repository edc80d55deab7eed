import { spawn } from 'node:child_process';
import { copyFileSync, linkSync, readFileSync, readdirSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './cli.ts';
import { errVsRms, i16, refCase, refPath } from './engine-refs.ts';
import { repoRoot, tempDir } from './helpers.ts';
import { Simulator } from '../../main/sources/simulator.ts';
import { simulatorMeta, withSyncColumn } from '../../main/sources/spikeglx-writer.ts';

const base = ['process', refPath('engine_input.i16'), '--channels', '8', '--fs', '30000', '--dtype', 'int16', '--chunk-ms', '50'];
const readF32 = (p: string) => new Float32Array(new Uint8Array(readFileSync(p)).buffer);

describe('probedeck process reproduces SpikeInterface chunked output', () => {
  it('bandpass zero-phase + global median CMR, any J × W', () => {
    const dir = tempDir();
    for (const [j, w] of [['1', '1'], ['3', '2']]) {
      const out = join(dir, `bp${j}${w}.f32`);
      const r = cli([...base, '--bandpass', '300,6000', '--cmr', 'global-median', '--n-jobs', j, '--n-workers', w, '--out', out]);
      expect(r.stderr).toMatch(/processed 6000 samples × 8 ch/);
      expect(r.code).toBe(0);
      expect(errVsRms(readF32(out), refCase('cli_bp_zero_median'))).toBeLessThan(1e-4);
    }
    // Computed in float32: still within 1e-4 of SpikeInterface's float64, and not the same bits.
    const f32out = join(dir, 'bp-f32.f32');
    const r = cli([...base, '--bandpass', '300,6000', '--cmr', 'global-median', '--precision', 'float32', '--out', f32out]);
    expect(r.code, r.stderr).toBe(0);
    expect(errVsRms(readF32(f32out), refCase('cli_bp_zero_median'))).toBeLessThan(1e-4);
    expect(readFileSync(f32out).equals(readFileSync(join(dir, 'bp11.f32')))).toBe(false);
  });

  it('highpass causal (zero state at start − margin) + global mean CMR', () => {
    const out = join(tempDir(), 'hp.f32');
    const r = cli([...base, '--highpass', '300', '--phase', 'causal', '--margin-ms', '16.67', '--cmr', 'global-mean', '--out', out]);
    expect(r.code).toBe(0);
    // Bit for bit: float64 filter, float32 output, then the mean summed channel after channel in float32, as SI.
    expect(readF32(out)).toEqual(refCase('cli_hp_causal_mean'));
  });

  it('a uint16 file is read as SpikeInterface reads it (minus 32768): the same output as its int16 twin', () => {
    const dir = tempDir();
    const x = new Int16Array(new Uint8Array(readFileSync(refPath('engine_input.i16'))).buffer);
    writeFileSync(join(dir, 'in.u16'), Uint16Array.from(x, (v) => v + 32768));
    const [a, b] = [join(dir, 'a.f32'), join(dir, 'b.f32')];
    expect(cli([...base, '--bandpass', '300,6000', '--cmr', 'global-median', '--out', a]).code).toBe(0);
    const u = cli(['process', join(dir, 'in.u16'), ...base.slice(2).map((v) => (v === 'int16' ? 'uint16' : v)), '--bandpass', '300,6000', '--cmr', 'global-median', '--out', b]);
    expect(u.code, u.stderr).toBe(0);
    expect(readF32(b)).toEqual(readF32(a));
  });

  it('int16 output rounds half-to-even like numpy', () => {
    const out = join(tempDir(), 'bp.i16');
    expect(cli([...base, '--bandpass', '300,6000', '--out-dtype', 'int16', '--out', out]).code).toBe(0);
    const got = new Int16Array(new Uint8Array(readFileSync(out)).buffer);
    const ref = i16('engine_cli_bp_zero_int16.i16');
    let diff = 0;
    for (let i = 0; i < ref.length; i++) diff = Math.max(diff, Math.abs(got[i] - ref[i]));
    expect(diff).toBeLessThanOrEqual(1); // float32 vs float64 rounding can flip an exact .5
  });

  it('global median CMR with nothing to filter: each row less its median, int16 or float32 input, any J (the jobs convert into their own buffers)', () => {
    const dir = tempDir();
    const C = 8;
    const x = new Int16Array(new Uint8Array(readFileSync(refPath('engine_input.i16'))).buffer);
    const rows = x.length / C;
    const want = new Float32Array(x.length);
    for (let t = 0; t < rows; t++) {
      const row = Array.from(x.subarray(t * C, (t + 1) * C)).sort((a, b) => a - b);
      const median = Math.fround((row[C / 2 - 1] + row[C / 2]) / 2);
      for (let c = 0; c < C; c++) want[t * C + c] = Math.fround(x[t * C + c] - median);
    }
    writeFileSync(join(dir, 'in.f32'), Float32Array.from(x));
    for (const [input, dtype] of [[refPath('engine_input.i16'), 'int16'], [join(dir, 'in.f32'), 'float32']]) {
      for (const j of ['1', '3']) {
        const out = join(dir, `cmr-${dtype}-${j}.f32`);
        const r = cli(['process', input, '--channels', '8', '--fs', '30000', '--dtype', dtype, '--chunk-ms', '50', '--cmr', 'global-median', '--n-jobs', j, '--out', out]);
        expect(r.code, r.stderr).toBe(0);
        expect(readF32(out), `${dtype}, J=${j}`).toEqual(want);
      }
    }
  });
});

describe('probedeck process fails with one clear line and leaves nothing behind', () => {
  it('an option a command does not take, or a missing path, is a usage error (exit 2), naming where the options are', () => {
    const r = cli([...base, '--bogus', '--out', join(tempDir(), 'o.f32')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^probedeck: Unknown option '--bogus'.*\(probedeck process --help for its options\)\n$/);
    const info = cli(['info']);
    expect(info.code).toBe(2);
    expect(info.stderr).toMatch(/^probedeck: usage: probedeck info <path>/);
  });

  it('a negative margin, or one beyond a preset\'s bound of a minute, names the option', () => {
    const r = cli([...base, '--highpass', '300', '--margin-ms', '-5', '--out', join(tempDir(), 'o.f32')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('probedeck: --margin-ms must be 0 or more (ms of real neighbours each side), got "-5"\n');
    // A margin in another unit: refused at a preset's bound, where a short file took it without a word.
    const huge = cli([...base, '--highpass', '300', '--margin-ms', '1e9', '--out', join(tempDir(), 'o.f32')]);
    expect(huge).toMatchObject({ code: 2, stderr: 'probedeck: --margin-ms must be at most 60000 (ms of real neighbours each side of every chunk, as a preset\'s marginMs), got "1e9"\n' });
  });

  it('a float32 file holding NaN says where', () => {
    const dir = tempDir();
    const f32 = join(dir, 'nan.f32');
    const x = Float32Array.from({ length: 8 * 90000 }, (_, i) => Math.sin(i / 100));
    x[8 * 61000 + 3] = NaN; // 2.033 s in
    writeFileSync(f32, x);
    const r = cli(['process', f32, '--channels', '8', '--fs', '30000', '--dtype', 'float32', '--bandpass', '300,6000', '--out', join(dir, 'o.f32')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/nan\.f32 holds NaN or infinite samples between 2\.000 s and 3\.000 s \(samples 60000–90000, or in the margins read around them\)\n$/);
    expect(readdirSync(dir)).toEqual(['nan.f32']);
  });

  it('a float32 file holding NaN or ∞ with nothing to filter: said too, never written as 0 or 32767', () => {
    const dir = tempDir();
    const f32 = join(dir, 'nan.f32');
    const x = Float32Array.from({ length: 8 * 90000 }, (_, i) => Math.sin(i / 100));
    for (const bad of [NaN, Infinity]) {
      x[8 * 45000 + 3] = bad; // 1.5 s in
      writeFileSync(f32, x);
      for (const outDtype of ['int16', 'float32']) {
        const r = cli(['process', f32, '--channels', '8', '--fs', '30000', '--dtype', 'float32', '--out-dtype', outDtype, '--out', join(dir, 'o.bin')]);
        expect(r.code, `${bad} → ${outDtype}`).not.toBe(0);
        expect(r.stderr).toMatch(/nan\.f32 holds NaN or infinite samples between 1\.000 s and 2\.000 s/);
        expect(readdirSync(dir)).toEqual(['nan.f32']);
      }
    }
  });

  it('a truncated file', () => {
    const dir = tempDir();
    const bad = join(dir, 'cut.bin');
    writeFileSync(bad, Buffer.alloc(8 * 2 * 100 + 3));
    const r = cli(['process', bad, '--channels', '8', '--fs', '30000', '--dtype', 'int16', '--out', join(dir, 'o.f32')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/cut\.bin: 1603 data bytes is not a whole number of 8-channel int16 frames/);
    expect(readdirSync(dir)).toEqual(['cut.bin']);
  });
  it('a last chunk too short for the zero-phase filter (no margin) is refused up front, as export refuses it, and nothing is written', () => {
    const dir = tempDir();
    const out = join(dir, 'o.f32');
    writeFileSync(out, 'an earlier output');
    // 1997-sample chunks of the 6000-sample file: the last holds 9, and without a margin scipy needs more than 33.
    const args = ['--chunk-ms', '66.5667', '--bandpass', '300,6000', '--margin-ms', '0', '--out', out, '--overwrite'];
    const r = cli(['process', refPath('engine_input.i16'), '--channels', '8', '--fs', '30000', '--dtype', 'int16', ...args]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "probedeck: the last chunk of the file, samples 5991–6000, is 9 samples with its neighbours: too short for the zero-phase filter, which needs more than 33 (scipy's padlen; SpikeInterface's save() fails there too). Take a chunk that leaves the last one more than 33 samples (the file has 6000), or give the filter a margin\n"
    );
    expect(readdirSync(dir)).toEqual(['o.f32']);
    expect(readFileSync(out, 'utf8')).toBe('an earlier output');
    // Up front, before any chunk runs: a NaN in the first chunk is not reached.
    const nan = join(dir, 'nan.f32');
    writeFileSync(nan, new Float32Array(6000 * 8).map((_, i) => (i === 5 ? NaN : Math.sin(i))));
    const f = cli(['process', nan, '--channels', '8', '--fs', '30000', '--dtype', 'float32', ...args]);
    expect(f.stderr).toMatch(/^probedeck: the last chunk of the file, samples 5991–6000, is 9 samples with its neighbours/);
    expect(readdirSync(dir).sort()).toEqual(['nan.f32', 'o.f32']);
    // A chunk that leaves 33 + 1: processed.
    expect(cli(['process', refPath('engine_input.i16'), '--channels', '8', '--fs', '30000', '--dtype', 'int16', ...args.slice(2), '--chunk-ms', String((5966 / 30000) * 1000 + 0.001)]).code).toBe(0);
  });
  it('a corner above Nyquist', () => {
    const dir = tempDir();
    const r = cli([...base, '--bandpass', '300,16000', '--out', join(dir, 'o.f32')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^probedeck: Expected "highHz" between 0 and Nyquist \(15000 Hz\) but received 16000\n$/);
  });
  it('an output that is the input (by path, symbolic link or hard link), a folder, or in a missing folder: refused, the input unchanged', () => {
    const dir = tempDir();
    const input = join(dir, 'in.bin');
    copyFileSync(refPath('engine_input.i16'), input);
    symlinkSync(input, join(dir, 'soft.bin'));
    linkSync(input, join(dir, 'hard.bin'));
    const run = (out: string) => cli(['process', input, '--channels', '8', '--fs', '30000', '--bandpass', '300,6000', '--out', out]);
    for (const out of [input, join(dir, '.', 'in.bin'), join(dir, 'soft.bin'), join(dir, 'hard.bin')]) {
      const r = run(out);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/is the input file itself: write it to another path\n$/);
    }
    expect(run(dir).stderr).toMatch(/is a folder: give the path of a file to write\n$/);
    // An existing output is replaced only when asked.
    const out = join(dir, 'out.f32');
    expect(run(out).code).toBe(0);
    const again = run(out);
    expect([again.code, again.stderr]).toEqual([1, `probedeck: ${out} already exists: give another path, or --overwrite to replace it\n`]);
    expect(cli(['process', input, '--channels', '8', '--fs', '30000', '--bandpass', '300,6000', '--out', out, '--overwrite']).code).toBe(0);
    rmSync(out);
    expect(run(join(dir, 'no/o.f32')).stderr).toMatch(/no does not exist or is not a folder: create it first\n$/);
    expect(readFileSync(input).equals(readFileSync(refPath('engine_input.i16')))).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['hard.bin', 'in.bin', 'soft.bin']);
  });
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143]
  ] as const)('%s cancels: one clear line, exit %i (128 + the signal, as export), no output and no temporary file', async (signal, code) => {
    const dir = tempDir();
    const input = join(dir, 'long.bin');
    writeFileSync(input, Buffer.alloc(64 * 2 * 30000 * 60));
    const child = spawn(process.execPath, [join(repoRoot, 'bin/probedeck.js'), 'process', input, '--channels', '64', '--fs', '30000', '--bandpass', '300,6000', '--n-workers', '1', '--out', join(dir, 'o.f32')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    for (let i = 0; i < 600 && !readdirSync(dir).some((f) => f.startsWith('.o.f32.partial-')); i++) await new Promise((r) => setTimeout(r, 10));
    child.kill(signal);
    expect(await new Promise((r) => child.once('exit', r))).toBe(code);
    expect(stderr).toMatch(/probedeck: cancelled; nothing was written to .*o\.f32\n$/);
    expect(readdirSync(dir)).toEqual(['long.bin']);
  });
  it('--phase stream runs in one job, and its plan says so: more jobs are warned, not run silently', () => {
    const out = join(tempDir(), 'o.f32');
    const r = cli([...base, '--bandpass', '300,6000', '--phase', 'stream', '--n-jobs', '3', '--ram-budget', '1GiB', '--out', out]);
    expect(r.stderr).toMatch(/warning: --n-jobs 3: --phase stream runs its chunks in order, in one job/);
    expect(r.stderr).toMatch(/plan: 1 job × \d workers?,/);
    expect(r.code).toBe(0);
  });
  it('a chunk larger than the machine can hold: refused up front, saying so', () => {
    const dir = tempDir();
    const big = join(dir, 'hour.bin');
    writeFileSync(big, '');
    truncateSync(big, 3600 * 30000 * 384 * 2); // sparse: an hour of 384 channels
    const r = cli(['process', big, '--channels', '384', '--fs', '30000', '--bandpass', '300,6000', '--chunk-ms', '3600000', '--out', join(dir, 'o.f32')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^probedeck: chunks of 3,600 s with margins of 0\.0167 s each side need [\d.]+ GiB, more than this machine's [\d.]+ GiB: use shorter chunks or margins/);
    expect(readdirSync(dir)).toEqual(['hour.bin']);
  });
  it('a missing input, a bad option value', () => {
    const dir = tempDir();
    expect(cli(['process', join(dir, 'none.bin'), '--channels', '8', '--fs', '30000', '--out', join(dir, 'o')]).stderr).toMatch(/none\.bin: no such file or folder/);
    expect(cli([...base, '--cmr', 'weird', '--out', join(dir, 'o')]).stderr).toMatch(/--cmr must be none, global-median or global-mean, got "weird"/);
    expect(cli([...base, '--fs', 'abc', '--out', join(dir, 'o')]).stderr).toMatch(/--fs must be a number, got "abc"/);
    // Named as typed, a usage error (2): the engine's check would say "nJobs" or "chunkSamples" and exit 1.
    for (const [flag, v] of [['--n-jobs', '0'], ['--n-jobs', '1.5'], ['--n-workers', '-1']]) {
      const r = cli([...base, flag, v, '--out', join(dir, 'o')]);
      expect([r.code, r.stderr]).toEqual([2, `probedeck: ${flag} must be a whole number from 1, got "${v}"\n`]);
    }
    const orphan = cli([...base, '--order', '99', '--phase=causal', '--out', join(dir, 'o')]);
    expect([orphan.code, orphan.stderr]).toEqual([2, 'probedeck: --order, --phase are options of a filter: give --bandpass, --highpass or --lowpass too\n']);
    const alone = cli([...base, '--precision', 'float32', '--out', join(dir, 'o')]);
    expect([alone.code, alone.stderr]).toEqual([2, 'probedeck: --precision is an option of a filter: give --bandpass, --highpass or --lowpass too\n']);
    // The phase shift's and detection's options without them were ignored: --gain-uv looked like an output scale.
    for (const [more, said] of [
      [['--taps', '32', '--probe=np2'], '--taps, --probe are options of --phase-shift: give --phase-shift fir or fft too'],
      [['--taps', '32'], '--taps is an option of --phase-shift: give --phase-shift fir or fft too'],
      [['--phase-shift', 'fft', '--taps', '32'], '--taps is an option of the FIR phase shift: --phase-shift fft has no taps'],
      [['--gain-uv', '2.34'], '--gain-uv is an option of --bad-channels detect (the µV its thresholds are in), not the output\'s scale: give --bad-channels detect too']
    ]) {
      const r = cli([...base, ...more, '--out', join(dir, 'o')]);
      expect([r.code, r.stderr]).toEqual([2, `probedeck: ${said}\n`]);
    }
    const half = cli([...base, '--bandpass', '300,6000', '--precision', 'float16', '--out', join(dir, 'o')]);
    expect([half.code, half.stderr]).toEqual([2, 'probedeck: --precision must be float64 or float32, got "float16"\n']);
    const tiny = cli([...base, '--chunk-ms', '0.01', '--out', join(dir, 'o')]);
    expect([tiny.code, tiny.stderr]).toEqual([2, 'probedeck: --chunk-ms must hold one sample at least (0.0333 ms at 30000 Hz), got "0.01"\n']);
  });
});

describe('probedeck process with the Neuropixels extras', () => {
  it('bandpass → FFT phase shift (NP1.0 shifts) → median CMR equals SpikeInterface’s chain', () => {
    const out = join(tempDir(), 'ps.f32');
    const r = cli([...base, '--bandpass', '300,6000', '--phase-shift', 'fft', '--cmr', 'global-median', '--n-jobs', '2', '--out', out]);
    expect(r.code).toBe(0);
    const ref = new Float32Array(readFileSync(refPath('phase_cli_bp_fft_median.f32')).buffer.slice(0));
    expect(errVsRms(readF32(out), ref)).toBeLessThan(1e-4);
  });

  it('refuses unknown extras by name', () => {
    expect(cli([...base, '--phase-shift', 'sinc', '--out', '/tmp/x']).stderr).toMatch(/--phase-shift must be none, fir or fft/);
    expect(cli([...base, '--bad-channels', 'auto', '--out', '/tmp/x']).stderr).toMatch(/--bad-channels must be none or detect/);
  });
});

describe('probedeck process on a SpikeGLX .bin (its .meta beside it)', () => {
  it('says what the .meta says that the flags do not: the sync column processed as a channel, another rate; a plain file says nothing', () => {
    const dir = tempDir();
    const bin = join(dir, 'run_g0_t0.imec0.ap.bin');
    const sim = new Simulator();
    writeFileSync(bin, withSyncColumn(sim.generate(0, 3000), 0, 384, 30000));
    writeFileSync(bin.replace(/\.bin$/, '.meta'), simulatorMeta(sim, 3000, 'run_g0_t0.imec0.ap.bin').replace(/^imSampRate=.*$/m, 'imSampRate=30000.1027'));
    const run = (fs: string) => cli(['process', bin, '--channels', '385', '--fs', fs, '--bandpass', '300,6000', '--cmr', 'global-median', '--out', join(dir, `out${fs}.f32`)]);
    const r = run('30000'); // SpikeGLX's calibrated rate: the same stream
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`probedeck: warning: ${bin}: ${bin.replace(/\.bin$/, '.meta')} is beside it: column 384 is SpikeGLX's sync channel, which process filters and references with as a neural channel; SpikeInterface's read_spikeglx leaves it out, as probedeck export does`);
    expect(r.stderr).not.toMatch(/Hz given/);
    expect(run('25000').stderr).toMatch(/is beside it and says 30000\.1027 Hz, not the 25000 Hz given: the filter's corners land at other frequencies/);
    const plain = join(dir, 'plain.bin');
    copyFileSync(bin, plain);
    expect(cli(['process', plain, '--channels', '385', '--fs', '30000', '--out', join(dir, 'plain.f32')]).stderr).not.toMatch(/warning/);
  });
});
