import { appendFileSync, copyFileSync, mkdirSync, readFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LiveSession } from '../../main/sessions/live-session.ts';
import { SessionManager } from '../../main/sessions/manager.ts';
import { Simulator } from '../../main/sources/simulator.ts';
import { simulatorMeta, withSyncColumn } from '../../main/sources/spikeglx-writer.ts';
import { encodeNpy } from '../../main/sources/npy.ts';
import { repoRoot, tempDir } from './helpers.ts';

const bytes = (x: Int16Array) => new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An empty SpikeGLX .bin without its .meta (as a run starts), followed live as `channels` (384) at 30 kHz. */
async function followingEmptySpikeGLX(channels = 384) {
  const bin = join(tempDir(), 'run_g0_t0.imec0.ap.bin');
  writeFileSync(bin, '');
  const m = new SessionManager(32 * 2 ** 20, () => {});
  await m.open({ kind: 'file', path: bin, channels, fs: 30000 });
  return { bin, m, sim: new Simulator() };
}

const sampleNumbers = (n: number) => Array.from({ length: n }, (_, i) => 1000 + i);

/**
 * An Open Ephys recording of a Neuropixels stream as the GUI leaves it while recording: the .dat in
 * whole 4096-sample blocks, the newest kept back; sample_numbers.npy's count updated now and then,
 * ahead of the .dat, its values appended after it.
 */
function openEphysRecording(dir: string, recording: string) {
  const rec = join(dir, 'Record Node 101', 'experiment1', recording);
  const cont = join(rec, 'continuous', 'Neuropix-PXI-100.ProbeA');
  mkdirSync(cont, { recursive: true });
  copyFileSync(join(repoRoot, 'test/fixtures/openephys/np1.structure.oebin'), join(rec, 'structure.oebin'));
  const sim = new Simulator();
  const dat = join(cont, 'continuous.dat');
  const npy = join(cont, 'sample_numbers.npy');
  writeFileSync(dat, bytes(sim.generate(0, 4096)));
  const running = encodeNpy({ dtype: '<i8', shape: [6000], data: sampleNumbers(6000) });
  writeFileSync(npy, Buffer.concat([running, Buffer.from(BigInt64Array.from(sampleNumbers(6500).slice(6000), BigInt).buffer)]));
  return { dat, npy, sim };
}

describe('live sessions on files being written', () => {
  it('follows an Open Ephys continuous.dat as it grows (the oebin exists from the start)', async () => {
    const dir = tempDir();
    const rec = join(dir, 'Record Node 101', 'experiment1', 'recording1');
    const cont = join(rec, 'continuous', 'Neuropix-PXI-100.ProbeA');
    mkdirSync(cont, { recursive: true });
    copyFileSync(join(repoRoot, 'test/fixtures/openephys/np1.structure.oebin'), join(rec, 'structure.oebin'));
    const dat = join(cont, 'continuous.dat');
    writeFileSync(dat, '');
    const m = new SessionManager(32 * 2 ** 20, () => {});
    const info = await m.open({ kind: 'file', path: join(dir, 'Record Node 101') });
    expect(info.channels).toHaveLength(384);
    // No settings.xml: the made-up site column is said, as opening the recording says it.
    expect(info.sourceWarnings).toEqual([expect.stringMatching(/^the probe's layout is unknown \(no settings\.xml beside .*\): its channels are placed in a made-up column/)]);
    expect(info.source).toMatch(/structure\.oebin \(ProbeA\)/);
    const sim = new Simulator();
    appendFileSync(dat, bytes(sim.generate(0, 3000)));
    appendFileSync(dat, Buffer.from(sim.generate(3000, 1000).buffer).subarray(0, 500)); // less than one frame
    await wait(300);
    expect(m.require().status().newestSample).toBe(3000);
    await m.close();
  });

  it('an Open Ephys recording that is stopped ends the followed run (its sample count closed at the .dat\'s); one whose count runs ahead (a crash) stays stalled', async () => {
    const { dat, npy, sim } = openEphysRecording(tempDir(), 'recording1');
    const m = new SessionManager(32 * 2 ** 20, () => {});
    await m.open({ kind: 'file', path: dat });
    await expect.poll(() => m.require().status().state, { timeout: 6000 }).toBe('stalled');
    await wait(1500);
    expect(m.require().status().state).toBe('stalled'); // the GUI stopped answering: no end is said
    // Stop: the last block written, then the count closed at every sample written.
    appendFileSync(dat, bytes(sim.generate(4096, 2404)));
    writeFileSync(npy, encodeNpy({ dtype: '<i8', shape: [6500], data: sampleNumbers(6500) }));
    await expect.poll(() => m.require().status().state, { timeout: 8000 }).toBe('ended');
    expect(m.require().status()).toMatchObject({ newestSample: 6500, message: `${dat}: the recording ended (Open Ephys closed it at 6500 samples): 0.2 s` });
    await m.close();
  }, 20_000);

  it('an ended Open Ephys recording started again (recording2 beside it): the end says where it goes on, until that one is closed too', async () => {
    const dir = tempDir();
    const { dat, npy, sim } = openEphysRecording(dir, 'recording1');
    appendFileSync(dat, bytes(sim.generate(4096, 2404)));
    writeFileSync(npy, encodeNpy({ dtype: '<i8', shape: [6500], data: sampleNumbers(6500) }));
    const m = new SessionManager(32 * 2 ** 20, () => {});
    await m.open({ kind: 'file', path: dat });
    await expect.poll(() => m.require().status().state, { timeout: 8000 }).toBe('ended');
    const ended = `${dat}: the recording ended (Open Ephys closed it at 6500 samples): 0.2 s`;
    expect(m.require().status().message).toBe(ended);
    // Recording started again: Open Ephys writes recording2 beside it (it said only the end).
    const later = openEphysRecording(dir, 'recording2');
    await expect.poll(() => m.require().status().message, { timeout: 5000 }).toBe(`${ended}; a later recording of this stream is being made beside it: experiment1/recording2: open it to follow the recording on`);
    expect(m.require().status().state).toBe('ended');
    appendFileSync(later.dat, bytes(sim.generate(4096, 2404)));
    writeFileSync(later.npy, encodeNpy({ dtype: '<i8', shape: [6500], data: sampleNumbers(6500) }));
    await expect.poll(() => m.require().status().message, { timeout: 5000 }).toBe(`${ended}; a later recording of this stream was made beside it: experiment1/recording2`);
    await m.close();
  }, 30_000);

  it('a run already 5 s in is joined at its newest half second: nothing dropped, history starts there', async () => {
    const bin = join(tempDir(), 'late_g0_t0.imec0.ap.bin');
    const sim = new Simulator();
    writeFileSync(bin, bytes(sim.generate(0, 150_000)));
    const m = new SessionManager(256 * 2 ** 20, () => {}); // history for more than the 0.6 s seen
    await m.open({ kind: 'file', path: bin, channels: 384, fs: 30000 });
    appendFileSync(bin, bytes(sim.generate(150_000, 3000)));
    await expect.poll(() => m.require().status().newestSample, { timeout: 3000 }).toBe(153_000);
    const s = m.require();
    expect(s.status().dropped).toBe(0);
    const cols = await s.columns(0, 100, 8192, true);
    expect(cols.oldestSample).toBe(150_000 - 15_000);
    expect(cols.fromColumn).toBe((150_000 - 15_000) / 100);
    await m.close();
  });

  it('a file that cannot be followed (a typo in its name) leaves the run being followed as it was', async () => {
    const { bin, m, sim } = await followingEmptySpikeGLX();
    appendFileSync(bin, bytes(sim.generate(0, 3000)));
    await expect.poll(() => m.require().status().newestSample, { timeout: 3000 }).toBe(3000);
    const typo = join(dirname(bin), 'run_g0_t0.imec0.ap.bim');
    await expect(m.open({ kind: 'file', path: typo, channels: 384, fs: 30000 })).rejects.toThrow(`${typo}: no such file or folder`);
    // Still followed: the samples written next arrive, and the view is told of the same source.
    expect(m.info()?.source).toBe(bin);
    appendFileSync(bin, bytes(sim.generate(3000, 3000)));
    await expect.poll(() => m.require().status().newestSample, { timeout: 3000 }).toBe(6000);
    await m.close();
  });

  it('picks up the SpikeGLX .meta when it appears at the end, and checks it', async () => {
    const { bin, m, sim } = await followingEmptySpikeGLX();
    appendFileSync(bin, bytes(sim.generate(0, 1500)));
    await wait(700);
    writeFileSync(bin.replace(/\.bin$/, '.meta'), simulatorMeta(sim, 3000, 'run_g0_t0.imec0.ap.bin', false));
    appendFileSync(bin, bytes(sim.generate(1500, 1500)));
    await expect.poll(() => m.require().status().message, { timeout: 3000 }).toMatch(/\.meta appeared: the recording is complete/);
    expect(m.require().status().state).toBe('running');
    await m.close();
    expect(readFileSync(bin).length).toBe(3000 * 768);
  });

  it('a writer catching up after a stall (6 s at once) is read as fast as it is processed: nothing dropped, no zeros in the history', async () => {
    const { bin, m, sim } = await followingEmptySpikeGLX();
    appendFileSync(bin, bytes(sim.generate(0, 3000)));
    await expect.poll(() => m.require().status().newestSample, { timeout: 5000 }).toBe(3000);
    appendFileSync(bin, bytes(sim.generate(3000, 180000)));
    await expect.poll(() => m.require().status().newestSample, { timeout: 20000 }).toBe(183000);
    expect(m.require().status().dropped).toBe(0);
    // Every 50 ms block of the burst holds data (a dropped one was filled with zeros).
    const raw = (m.require() as LiveSession).raw;
    const C = 384;
    for (let s = Math.max(raw.start, 3000); s + 1500 <= 183000; s += 1500) {
      const block = raw.views(s, s + 1500);
      expect(block.some((v) => v.some((x) => x !== 0)), `samples ${s}–${s + 1500}`).toBe(true);
    }
    expect(raw.end - raw.start).toBeGreaterThan(C); // the history held some of it
    await m.close();
  }, 40_000);

  it('a slow stream written in 4096-sample blocks (Open Ephys at 1.5 kHz: 2.7 s each) is not called stalled between its blocks', async () => {
    const bin = join(tempDir(), 'slow.bin');
    writeFileSync(bin, '');
    const m = new SessionManager(32 * 2 ** 20, () => {});
    await m.open({ kind: 'file', path: bin, channels: 4, fs: 1500 });
    appendFileSync(bin, new Uint8Array(4 * 2 * 4096));
    await new Promise((r) => setTimeout(r, 3500));
    expect(m.require().status().state).not.toBe('stalled');
    // Two blocks' time without one is a stall.
    await expect.poll(() => m.require().status().state, { timeout: 6000 }).toBe('stalled');
    await m.close();
  }, 20_000);

  it('data after a silence: "data again" is said for a few seconds, then the running run says nothing', async () => {
    const { bin, m, sim } = await followingEmptySpikeGLX();
    appendFileSync(bin, bytes(sim.generate(0, 1500)));
    await expect.poll(() => m.require().status().state, { timeout: 5000 }).toBe('stalled');
    // Acquisition goes on: 10 ms of data every 10 ms.
    let at = 1500;
    const writer = setInterval(() => {
      appendFileSync(bin, bytes(sim.generate(at, 300)));
      at += 300;
    }, 10);
    try {
      await expect.poll(() => m.require().status().message, { timeout: 3000 }).toMatch(/: data again$/);
      expect(m.require().status().state).toBe('running');
      await expect.poll(() => m.require().status().message, { timeout: 8000, interval: 250 }).toBeNull();
      expect(m.require().status().state).toBe('running');
    } finally {
      clearInterval(writer);
    }
    await m.close();
  }, 20_000);

  it('a followed run whose .meta disagrees with its data says so, as the recording does', async () => {
    const bin = join(tempDir(), 'other_g0_t0.imec0.ap.bin');
    const sim = new Simulator();
    // 3840 frames of 385 are 3850 whole frames of 384: the sizes agree, only the data can tell.
    writeFileSync(bin, withSyncColumn(sim.generate(0, 3840), 0, 384, 30000));
    writeFileSync(bin.replace(/\.bin$/, '.meta'), simulatorMeta(sim, 3850, 'other_g0_t0.imec0.ap.bin', false));
    const m = new SessionManager(32 * 2 ** 20, () => {});
    const info = await m.open({ kind: 'file', path: bin });
    expect(info.sourceWarnings).toEqual(['its data look like 385 channels per frame, but its .meta says nSavedChans=384: read as the .meta says, every trace mixes channels; check that the .meta belongs to this file']);
    await m.close();
  });

  it('an older run’s .meta left under the name a new run reuses: said for what it is, and what to do, when the new .bin outgrows it', async () => {
    const dir = tempDir();
    const sim = new Simulator();
    const frames = (start: number, n: number) => bytes(withSyncColumn(sim.generate(start, n), start, 384, 30000));
    const oldMeta = simulatorMeta(sim, 3000, 'run_g0_t0.imec0.ap.bin'); // a finished run of 3000 samples
    const said = /run_g0_t0\.imec0\.ap\.meta describes a finished recording of 3000 samples \(0\.1 s\), 2310000 bytes, but this file (is empty|has grown to \d+ bytes): it is a new run written under that run's name, and the \.meta is the older run's\. Move that \.meta aside \(or give the new run its own name in SpikeGLX\) and follow the file again with its channel count and rate/;
    // Joined early: the new run is shorter than the old .meta so far, then grows past it.
    const early = join(dir, 'a', 'run_g0_t0.imec0.ap.bin');
    mkdirSync(join(dir, 'a'));
    writeFileSync(early.replace(/\.bin$/, '.meta'), oldMeta);
    writeFileSync(early, frames(0, 1000));
    const m = new SessionManager(32 * 2 ** 20, () => {});
    await m.open({ kind: 'file', path: early, channels: 385, fs: 30000 });
    expect(m.require().status().state).not.toBe('error');
    appendFileSync(early, frames(1000, 6000));
    await expect.poll(() => m.require().status().message, { timeout: 5000 }).toMatch(said);
    expect(m.require().status().state).toBe('error');
    await expect.poll(() => m.require().status().newestSample, { timeout: 5000 }).toBe(7000); // nothing lost: it is still followed
    await m.close();
    // Joined once it has outgrown the .meta, or before its first sample: the same, as the error.
    for (const [name, data] of [['b', frames(0, 4000)], ['c', new Uint8Array(0)]] as const) {
      const bin = join(dir, name, 'run_g0_t0.imec0.ap.bin');
      mkdirSync(join(dir, name));
      writeFileSync(bin.replace(/\.bin$/, '.meta'), oldMeta);
      writeFileSync(bin, data);
      await expect(m.open({ kind: 'file', path: bin, channels: 385, fs: 30000 })).rejects.toThrow(said);
    }
  });

  it('silence is a stall whose length keeps counting; a .meta written after the last data ends the run', async () => {
    const { bin, m, sim } = await followingEmptySpikeGLX();
    appendFileSync(bin, bytes(sim.generate(0, 3000)));
    await expect.poll(() => m.require().status().state, { timeout: 5000 }).toBe('stalled');
    expect(m.require().status().message).toMatch(/no new data for [23] s$/);
    await expect.poll(() => m.require().status().message, { timeout: 5000 }).toMatch(/no new data for [4-9] s$/);
    // SpikeGLX closes the .bin, then writes its .meta: the silent session finds the run complete.
    writeFileSync(bin.replace(/\.bin$/, '.meta'), simulatorMeta(sim, 3000, 'run_g0_t0.imec0.ap.bin', false));
    await expect.poll(() => m.require().status().state, { timeout: 5000 }).toBe('ended');
    expect(m.require().status().message).toMatch(/the recording ended \(its \.meta was written\): 0\.1 s$/);
    // Another pipeline for the ended run: its history is redone, and the end stays said.
    const ended = m.require() as LiveSession;
    const revision = ended.status().revision;
    ended.setPipeline({ ...m.info()!.pipeline, filter: null });
    await expect.poll(() => ended.status().revision, { timeout: 5000 }).toBeGreaterThan(revision);
    await new Promise((r) => setTimeout(r, 300));
    expect(ended.status()).toMatchObject({ state: 'ended', message: expect.stringMatching(/the recording ended \(its \.meta was written\): 0\.1 s$/) });
    // Following a finished run from the start: its data, then the same end; so does its .meta, chosen in place of the .bin.
    for (const path of [bin, bin.replace(/\.bin$/, '.meta')]) {
      const info = await m.open({ kind: 'file', path });
      expect(info.source).toBe(bin);
      await expect.poll(() => m.require().status().state, { timeout: 6000 }).toBe('ended');
      expect(m.require().status().newestSample).toBe(3000);
    }
    await m.close();
  }, 20_000);

  it('a writer that stops inside a frame (a full disk, a crash): the stall says the file was left mid-write, and the whole frames before it are all shown', async () => {
    const { bin, m, sim } = await followingEmptySpikeGLX();
    const rows = bytes(sim.generate(0, 3100));
    appendFileSync(bin, rows.subarray(0, 3000 * 768 + 100)); // a block cut 100 bytes into frame 3000
    await expect.poll(() => m.require().status().state, { timeout: 6000 }).toBe('stalled');
    // It said only 'no new data for 2 s', as for a paused acquisition.
    expect(m.require().status()).toMatchObject({
      message: expect.stringMatching(/: no new data for [23] s: the file ends 100 bytes into a frame of 768, so its writer stopped mid-write \(a full disk, or the acquisition stopped abnormally\?\)$/),
      newestSample: 3000
    });
    // The rest of the frame comes: the run goes on, and the note goes with the silence.
    appendFileSync(bin, rows.subarray(3000 * 768 + 100));
    await expect.poll(() => m.require().status().newestSample, { timeout: 5000 }).toBe(3100);
    expect(m.require().status()).toMatchObject({ state: 'running', message: expect.stringMatching(/data again$/) });
    await m.close();
  }, 20_000);

  it('a triggered run’s next file (t1 after t0) begun beside the followed one, once it has ended: said, with its name, until it is finished too', async () => {
    const { bin, m, sim } = await followingEmptySpikeGLX();
    appendFileSync(bin, bytes(sim.generate(0, 3000)));
    writeFileSync(bin.replace(/\.bin$/, '.meta'), simulatorMeta(sim, 3000, 'run_g0_t0.imec0.ap.bin', false));
    await expect.poll(() => m.require().status().state, { timeout: 8000 }).toBe('ended');
    const ended = m.require().status().message;
    // Another stream and another run's files beside it are not the recording going on.
    writeFileSync(join(dirname(bin), 'run_g0_t1.imec0.lf.bin'), '');
    writeFileSync(join(dirname(bin), 'other_g3_t0.imec0.ap.bin'), '');
    const t1 = join(dirname(bin), 'run_g0_t1.imec0.ap.bin');
    writeFileSync(t1, bytes(sim.generate(3000, 300)));
    // It stayed at 'the recording ended' while the trigger's next file was being written beside it.
    await expect.poll(() => m.require().status().message, { timeout: 5000 }).toBe(`${ended}; a later file of this run is being written beside it: run_g0_t1.imec0.ap.bin: open it to follow the recording on`);
    expect(m.require().status().state).toBe('ended');
    writeFileSync(t1.replace(/\.bin$/, '.meta'), simulatorMeta(sim, 300, 'run_g0_t1.imec0.ap.bin', false));
    await expect.poll(() => m.require().status().message, { timeout: 5000 }).toBe(`${ended}; a later file of this run was written beside it: run_g0_t1.imec0.ap.bin`);
    await m.close();
  }, 20_000);

  it('a run restarted as g1 beside a g0 left without its .meta (SpikeGLX stopped abnormally): the silence says where the recording went on', async () => {
    const { bin, m, sim } = await followingEmptySpikeGLX();
    appendFileSync(bin, bytes(sim.generate(0, 3000)));
    await expect.poll(() => m.require().status().state, { timeout: 6000 }).toBe('stalled');
    writeFileSync(join(dirname(bin), 'run_g1_t0.imec0.ap.bin'), bytes(sim.generate(0, 300)));
    // It said only 'no new data for N s', for as long as one watched.
    await expect.poll(() => m.require().status().message, { timeout: 5000 }).toMatch(
      /: no new data for \d+ s: a later file of this run is being written beside it: run_g1_t0\.imec0\.ap\.bin: open it to follow the recording on$/
    );
    expect(m.require().status()).toMatchObject({ state: 'stalled', newestSample: 3000 });
    await m.close();
  }, 20_000);

  it('a file cut short or replaced while followed: an error that says the samples shown stay, and they do', async () => {
    for (const cut of [(bin: string) => truncateSync(bin, 1000 * 768), (bin: string) => (writeFileSync(`${bin}.new`, ''), renameSync(`${bin}.new`, bin))]) {
      const { bin, m, sim } = await followingEmptySpikeGLX();
      appendFileSync(bin, bytes(sim.generate(0, 3000)));
      await expect.poll(() => m.require().status().newestSample, { timeout: 5000 }).toBe(3000);
      cut(bin);
      await expect.poll(() => m.require().status().state, { timeout: 5000 }).toBe('error');
      // It said only what became of the file, which reads as if the recording shown were gone too.
      expect(m.require().status().message).toMatch(/(shrank from 2304000 to 768000 bytes|was replaced by another file) while it was being followed: what was shown \(up to 0\.1 s\) stays in the view; nothing more is read from it$/);
      const cols = await m.require().columns(0, 100, 100, false);
      expect([cols.newestSample, cols.count]).toEqual([3000, 30]);
      await m.close();
    }
  }, 20_000);

  it('a finished run moved away after its end (to the server, by hand or a backup script) stays ended, said with where its file went; not an error', async () => {
    const { bin, m, sim } = await followingEmptySpikeGLX();
    appendFileSync(bin, bytes(sim.generate(0, 3000)));
    writeFileSync(bin.replace(/\.bin$/, '.meta'), simulatorMeta(sim, 3000, 'run_g0_t0.imec0.ap.bin', false));
    await expect.poll(() => m.require().status().state, { timeout: 8000 }).toBe('ended');
    const server = join(dirname(bin), 'server');
    mkdirSync(server);
    renameSync(bin, join(server, basename(bin)));
    await wait(500);
    // It read 'error · …: disappeared while it was being followed', as if the recording had failed.
    expect(m.require().status()).toMatchObject({
      state: 'ended',
      message: `${bin}: the recording ended (its .meta was written): 0.1 s; its file has since been moved or deleted (what is shown stays)`,
      newestSample: 3000
    });
    await m.close();
  }, 20_000);

  it('an LFP .lf.bin before its .meta: a 30 kHz rate is refused; at 2500 Hz its channels are LF with the NP1.0 LFP gain, said as assumed; a calibrated rate in the .meta agrees', async () => {
    const bin = join(tempDir(), 'run_g0_t0.imec0.lf.bin');
    writeFileSync(bin, '');
    const m = new SessionManager(32 * 2 ** 20, () => {});
    await expect(m.open({ kind: 'file', path: bin, channels: 384, fs: 30000 })).rejects.toThrow(/is SpikeGLX's LFP stream, sampled at 2500 Hz, not 30000 Hz: give its rate$/);
    const info = await m.open({ kind: 'file', path: bin, channels: 384, fs: 2500 });
    expect(info.fs).toBe(2500);
    expect(info.channels[5].id).toBe('LF5');
    expect((m.require() as LiveSession).input.channels[5].gainUv).toBe(4.6875);
    expect(info.pipeline.filter).toMatchObject({ lowHz: 0.5, highHz: 500 }); // the LFP band, not the spike band
    const sim = new Simulator();
    appendFileSync(bin, bytes(sim.generate(0, 2500)));
    // Said with the source for as long as it is followed, not as a message the next event replaces.
    expect(m.info()!.sourceWarnings).toEqual(['no .meta yet: µV assume a Neuropixels 1.0 LFP gain (4.6875 µV/bit) and its site layout, as long as this file is followed']);
    writeFileSync(bin.replace(/\.bin$/, '.meta'), simulatorMeta(sim, 2500, 'run_g0_t0.imec0.lf.bin', false).replace(/imSampRate=\S+/, 'imSampRate=2500.0231'));
    await expect.poll(() => m.require().status().message, { timeout: 5000 }).toMatch(/the recording ended \(its \.meta was written\): 1\.0 s$/);
    expect(m.require().status().state).toBe('ended');
    await m.close();
  });

  it('a OneBox stream followed before its .meta ends when it comes (its rate is obSampRate); a .meta read half-written is looked at again, not taken for the end', async () => {
    const bin = join(tempDir(), 'run_g0_t0.obx0.obx.bin');
    writeFileSync(bin, '');
    const m = new SessionManager(32 * 2 ** 20, () => {});
    await m.open({ kind: 'file', path: bin, channels: 8, fs: 30000 });
    appendFileSync(bin, new Uint8Array(8 * 2 * 3000));
    const meta = bin.replace(/\.bin$/, '.meta');
    // SpikeGLX writes it in place: the size first, the channels and rate after.
    writeFileSync(meta, `fileSizeBytes=${8 * 2 * 3000}\n`);
    await new Promise((r) => setTimeout(r, 2500));
    expect(m.require().status(), m.require().status().message ?? undefined).not.toMatchObject({ state: 'error' });
    writeFileSync(meta, `fileSizeBytes=${8 * 2 * 3000}\nnSavedChans=8\nobSampRate=30000.0\ntypeThis=obx\n`);
    // It said "says 8 channels at NaN Hz … reopen it", an error for the rest of the session.
    await expect.poll(() => m.require().status().message, { timeout: 5000 }).toMatch(/the recording ended \(its \.meta was written\): 0\.1 s$/);
    expect(m.require().status().state).toBe('ended');
    await m.close();
  }, 20_000);

  it('a run followed before its .meta, whose .meta then gives another gain: the end says the µV shown were off, by how much, and how to see them right', async () => {
    const { bin, m, sim } = await followingEmptySpikeGLX();
    appendFileSync(bin, bytes(sim.generate(0, 3000)));
    // A rig running AP gain 250: 4.6875 µV/bit, where the view assumed NP1.0's ×500 (2.34375).
    const meta = simulatorMeta(sim, 3000, 'run_g0_t0.imec0.ap.bin', false).replace(/\((\d+) 0 0 500 250 1\)/g, '($1 0 0 250 250 1)');
    // Read while SpikeGLX is still writing it (its ~ lists come last): looked at again, not the end,
    // which had said "1 µV/bit" from a .meta without its gains.
    writeFileSync(bin.replace(/\.bin$/, '.meta'), meta.replace(/^~imroTbl=.*$[\s\S]*/m, ''));
    await new Promise((r) => setTimeout(r, 2500));
    expect(m.require().status().state).not.toBe('ended');
    writeFileSync(bin.replace(/\.bin$/, '.meta'), meta);
    await expect.poll(() => m.require().status().state, { timeout: 8000 }).toBe('ended');
    // It said only that the recording ended: every amplitude seen while following was half the truth, unsaid.
    expect(m.require().status().message).toBe(
      `${bin}: the recording ended (its .meta was written): 0.1 s; its .meta gives 4.6875 µV/bit where 2.34375 was assumed: the µV shown were 0.5× the true ones (open the whole file to see them right)`
    );
    await m.close();
  }, 20_000);

  it('SpikeGLX’s 384 + sync, followed as 385: the sync column is split off; followed as 384: an error within the first second', async () => {
    const sim = new Simulator();
    // The simulator's channels with the offsets a wideband probe has, and SpikeGLX's sync column last.
    const frames = (start: number, n: number) => {
      const x = sim.generate(start, n);
      const out = new Int16Array(n * 385);
      for (let t = 0; t < n; t++) {
        for (let c = 0; c < 384; c++) out[t * 385 + c] = x[t * 384 + c] + ((c * 7919) % 601) - 300;
        out[t * 385 + 384] = ((start + t) >> 10) & 1 ? 64 : 0;
      }
      return out;
    };
    const right = await followingEmptySpikeGLX(385);
    expect(right.m.require().describe().channels).toHaveLength(384);
    appendFileSync(right.bin, bytes(frames(0, 6000)));
    await expect.poll(() => right.m.require().status().newestSample, { timeout: 3000 }).toBe(6000);
    const cols = await right.m.require().columns(0, 6000, 6000, false);
    expect(cols.channels).toBe(384);
    await wait(300);
    expect(right.m.require().status().state).toBe('running');
    await right.m.close();

    const wrong = await followingEmptySpikeGLX(384);
    appendFileSync(wrong.bin, bytes(frames(0, 6000)));
    await expect.poll(() => wrong.m.require().status().state, { timeout: 3000 }).toBe('error');
    expect(wrong.m.require().status().message).toMatch(/the data look like 385 channels per frame, not 384 \(SpikeGLX saves 384 \+ the sync channel\): every trace shown mixes channels; reopen it with 385$/);
    await wrong.m.close();
  });

  it('a file of 384 channels (no sync) followed as 768 or 192: a warning within the first second, kept with the source; the file is still followed', async () => {
    const sim = new Simulator();
    // The simulator's channels with the offsets a wideband probe has, saved without the sync channel.
    const data = sim.generate(0, 12000).map((v, i) => v + (((i % 384) * 7919) % 601) - 300);
    for (const [typed, said] of [
      [768, 'the data look like 384 channels per frame, not the 768 given (half as many): if so, each channel is shown twice, at half its rate, and times run twice as slow; reopen it with 384'],
      [192, 'the data look like 384 channels per frame, not the 192 given (twice as many): if so, each trace alternates between two channels; reopen it with 384']
    ] as const) {
      const { bin, m } = await followingEmptySpikeGLX(typed);
      appendFileSync(bin, bytes(data.subarray(0, 6000 * 384)));
      appendFileSync(bin, bytes(data.subarray(6000 * 384)));
      await expect.poll(() => m.info()!.sourceWarnings, { timeout: 3000 }).toContain(said);
      expect(m.require().status().state).not.toBe('error');
      await expect.poll(() => m.require().status().newestSample, { timeout: 3000 }).toBe((12000 * 384) / typed);
      await m.close();
    }
  });

  it('385 followed on a file of 384 channels: its last column is no sync channel, said within the first second; the .meta that disagrees is an error too, not an end', async () => {
    // 385 is SpikeGLX's usual count (with the sync channel); these data have 384 channels, no sync.
    const { bin, m, sim } = await followingEmptySpikeGLX(385);
    appendFileSync(bin, bytes(sim.generate(0, 3850)));
    await expect.poll(() => m.require().status().state, { timeout: 5000 }).toBe('error');
    expect(m.require().status().message).toMatch(/column 385 of the 385 followed is not SpikeGLX's sync channel \(it changes with nearly every sample\): if the file has 384 channels, reopen it with 384$/);
    await wait(2500); // silence: the error stays said
    expect(m.require().status().state).toBe('error');
    writeFileSync(bin.replace(/\.bin$/, '.meta'), simulatorMeta(sim, 3850, 'run_g0_t0.imec0.ap.bin', false));
    await expect.poll(() => m.require().status().message, { timeout: 5000 }).toMatch(/\.meta says 384 channels at 30000 Hz, but the file was followed as 385 at 30000 Hz: reopen it$/);
    await m.close();
  }, 20_000);
});
