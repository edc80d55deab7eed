// Careless and hostile requests through the real browser-mode transport (real host, real addon,
// real SQLite file): each is refused with an error that names what is wrong, and the host goes on
// answering. Nothing a client sends may crash it, hang it, or make it hold memory without bound.
import { spawnSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createHost, type Host } from '../../main/api/host.ts';
import { decode, encode } from '../../main/api/wire.ts';
import { startServer, type RunningServer } from '../../main/browser/server.ts';
import { repoRoot, tempDir } from './helpers.ts';

type Reply = { t: string; id?: number; result?: unknown; error?: { code?: string; message: string } };

describe('hostile requests to the browser-mode host', () => {
  let host: Host;
  let server: RunningServer;
  // What would end a plain Node host (vitest only reports them): an error event no one listens to,
  // a rejection no one handles. Every test here ends with none.
  const escaped: unknown[] = [];
  const collect = (e: unknown) => escaped.push(e);
  afterEach(async () => {
    await server?.close();
    await host?.close();
    process.off('uncaughtException', collect);
    process.off('unhandledRejection', collect);
    expect(escaped.splice(0)).toEqual([]);
  });

  async function start() {
    process.on('uncaughtException', collect);
    process.on('unhandledRejection', collect);
    const dir = tempDir();
    const staticDir = join(dir, 'static');
    mkdirSync(staticDir, { recursive: true });
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><p>hi</p>');
    host = createHost({ dataDir: join(dir, 'data'), transport: 'websocket' });
    server = await startServer(host, { host: '127.0.0.1', port: 0, staticDir });
    return { dir, url: `ws://127.0.0.1:${(server.server.address() as { port: number }).port}/ws` };
  }

  async function connect(url: string) {
    const ws = new WebSocket(url);
    await new Promise((r) => ws.once('open', r));
    let next = 1;
    const waiting = new Map<number, (m: Reply) => void>();
    ws.on('message', (data, isBinary) => {
      const m = decode(isBinary ? new Uint8Array(data as Buffer) : data.toString()) as Reply;
      if (m.id !== undefined) waiting.get(m.id)?.(m);
    });
    const call = (method: string, params?: unknown) =>
      new Promise<Reply>((resolve) => {
        const id = next++;
        waiting.set(id, resolve);
        ws.send(encode({ t: 'call', id, method, params }));
      });
    return { ws, call };
  }

  it('refuses a channel count no file can have before sizing anything by it', async () => {
    const { dir, url } = await start();
    const { ws, call } = await connect(url);
    // Raw files without metadata: the channel count typed decides how they are read.
    const raw = join(dir, 'plain.dat');
    const live = join(dir, 'growing.bin');
    writeFileSync(raw, new Uint8Array(384 * 2 * 1000));
    writeFileSync(live, new Uint8Array(384 * 2 * 1000));
    // Before, a billion channels made a table of a billion channels: the host ran out of heap and
    // aborted; ten million following a file held 4 GB and stopped answering.
    for (const [source, why] of [
      [{ kind: 'recording', path: raw, channels: 1e9, fs: 30000 }, /1 to 65536 for "channels" but received 1000000000/],
      [{ kind: 'file', path: live, channels: 1e7, fs: 30000 }, /1 to 65536 for "channels" but received 10000000$/],
      // Half a channel opened a followed file with no channels at all.
      [{ kind: 'file', path: live, channels: 0.5, fs: 30000 }, /1 to 65536 for "channels" but received 0\.5/],
      [{ kind: 'file', path: live, channels: 384, fs: '30000' }, /above 0 Hz for "fs" but received the string "30000"/]
    ] as const) {
      const r = await call('session.open', { source });
      expect(r.error, JSON.stringify(source)).toMatchObject({ code: 'INVALID_PARAMETER' });
      expect(r.error!.message).toMatch(why);
    }
    const exported = await call('export.check', { source: raw, raw: { channels: 1e9, fs: 30000 }, preset: { id: 1 }, format: 'raw-f32', outDir: join(dir, 'out') });
    expect(exported.error).toMatchObject({ code: 'INVALID_PARAMETER' });
    expect(exported.error!.message).toMatch(/1 to 65536 for "channels" but received 1000000000/);
    expect((await call('session.info')).result).toBeNull();
    expect((await call('engine.info')).result).toMatchObject({ version: '0.1.0' });
    // A sensible count still opens the same files.
    expect((await call('session.open', { source: { kind: 'recording', path: raw, channels: 384, fs: 30000 } })).result).toMatchObject({ kind: 'recording', fs: 30000 });
    ws.close();
  });

  it('disconnects a client that does not read its replies, rather than hold them all', async () => {
    const { dir, url } = await start();
    const raw = join(dir, 'plain.dat');
    writeFileSync(raw, new Uint8Array(384 * 2 * 10_000));
    const reader = await connect(url);
    expect((await reader.call('session.open', { source: { kind: 'recording', path: raw, channels: 384, fs: 30000 } })).result).toMatchObject({ kind: 'recording' });
    // A client that stops reading (a script that never does, a frozen tab) and asks for 24 screens
    // of columns, 25 MB each: before, the host held all 600 MB for it, for as long as it stayed.
    const { ws, call } = await connect(url);
    const socket = (ws as unknown as { _socket: import('node:net').Socket })._socket;
    socket.pause();
    let answered = 0;
    ws.on('message', () => answered++);
    ws.on('error', () => {});
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    for (let i = 0; i < 24; i++) void call('session.columns', { fromColumn: 0, samplesPerColumn: 1, maxColumns: 8192, processed: false });
    // Requests to a recording are served one after another: this one comes after all 24.
    expect((await reader.call('session.columns', { fromColumn: 0, samplesPerColumn: 1, maxColumns: 10, processed: false })).result).toMatchObject({ count: 10 });
    socket.resume();
    await Promise.race([closed, new Promise((r) => setTimeout(r, 10_000))]);
    expect(ws.readyState).toBe(WebSocket.CLOSED);
    expect(answered).toBeLessThan(24);
    // The others are served as before.
    expect((await reader.call('engine.info')).result).toMatchObject({ version: '0.1.0' });
    reader.ws.close();
  });

  it('follows a file whose .meta cannot be read yet without an unhandled rejection', async () => {
    const { dir, url } = await start();
    const { ws, call } = await connect(url);
    const bin = join(dir, 'run_g0_t0.imec0.ap.bin');
    const frame = 385 * 2;
    writeFileSync(bin, new Uint8Array(frame * 3000));
    expect((await call('session.open', { source: { kind: 'file', path: bin, channels: 385, fs: 30000 } })).result).toMatchObject({ kind: 'file' });
    // A .meta there but unreadable (still locked by the writer, no permission; here a folder):
    // before, reading it rejected where no one listened, which ends a Node process.
    mkdirSync(join(dir, 'run_g0_t0.imec0.ap.meta'));
    for (let i = 0; i < 12; i++) {
      appendFileSync(bin, new Uint8Array(frame * 3000));
      await new Promise((r) => setTimeout(r, 150));
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(escaped).toEqual([]);
    const status = (await call('session.status')).result as { state: string; newestSample: number };
    expect(status.state).toBe('running');
    expect(status.newestSample).toBeGreaterThan(3000);
    ws.close();
  });

  it('follows a file whose first frames cannot be read without an unhandled rejection', async () => {
    const { dir, url } = await start();
    const { ws, call } = await connect(url);
    // A file that says it holds 4096 bytes and refuses every read (a disk error, a file on a
    // network share gone stale; here the loopback's speed, which Linux answers with EINVAL).
    // Before, the channel-count check on its first frames rejected where no one listened, which
    // ends the host process.
    const unreadable = join(dir, 'acquisition.dat');
    symlinkSync('/sys/class/net/lo/speed', unreadable);
    expect(() => readFileSync(unreadable)).toThrow(/EINVAL/);
    const opened = await call('session.open', { source: { kind: 'file', path: unreadable, channels: 1, fs: 30000 } });
    expect(opened.result).toMatchObject({ kind: 'file' });
    await new Promise((r) => setTimeout(r, 500));
    expect(escaped).toEqual([]);
    // The read that failed is said, with the file it failed on (before: 'EINVAL: invalid argument,
    // read', of no file); the host goes on answering.
    const status = (await call('session.status')).result as { state: string; message: string | null };
    expect(status).toMatchObject({ state: 'error', message: `${unreadable}: EINVAL: invalid argument, read` });
    expect((await call('engine.info')).result).toMatchObject({ version: '0.1.0' });
    ws.close();
  });

  it('refuses a calibration length that is no whole number of seconds from 1 to 10, naming it', async () => {
    const { url } = await start();
    const { ws, call } = await connect(url);
    // Electron's IPC carries NaN as it is: before, it failed naming the benchmark's own temporary
    // file ('…/synthetic.bin: 0 data bytes is less than one frame'); 1.1 s failed with 'Invalid
    // typed array length'; 0.5 and 100 were clamped unsaid; and anything not a number ('x', null)
    // ran the 3 s default: a benchmark on every core that no one asked for.
    await expect(host.call('planner.calibrate', { seconds: NaN })).rejects.toMatchObject({ code: 'INVALID_PARAMETER', message: 'Expected a whole number of seconds from 1 to 10 for "seconds" but received NaN' });
    for (const seconds of [1.1, 0.5, 100, 'x', null]) {
      const r = await call('planner.calibrate', { seconds });
      expect(r.error, String(seconds)).toMatchObject({ code: 'INVALID_PARAMETER' });
      expect(r.error!.message).toMatch(/^Expected a whole number of seconds from 1 to 10 for "seconds" but received /);
    }
    const notObject = await call('planner.calibrate', 'x');
    expect(notObject.error).toMatchObject({ code: 'INVALID_PARAMETER' });
    expect(notObject.error!.message).toBe('Expected nothing, or an object { seconds } for "params" but received the string "x"');
    // Refused before it ran: no calibration was made, and none is running.
    expect((await call('planner.calibration')).result).toBeNull();
    expect((await call('engine.info')).result).toMatchObject({ version: '0.1.0' });
    ws.close();
  });

  it('refuses an export request with a field it does not take, or one of the wrong kind, naming it', async () => {
    const { dir, url } = await start();
    const { ws, call } = await connect(url);
    const raw = join(dir, 'plain.dat');
    writeFileSync(raw, new Uint8Array(64 * 2 * 3000));
    const request = { source: raw, raw: { channels: 64, fs: 30000 }, preset: { id: 1 }, format: 'raw-f32', outDir: join(dir, 'sorted') };
    // Before, the first four were exported anyway: a stream of {a: 1}; 'startSec' (startS mistyped)
    // ignored, so the whole recording; a raw 'dtyp' ignored, so float32 samples read as int16; and
    // overwrite "false", a string and so true, which replaced an earlier export in that folder.
    // A preset id "1" was 'there is no preset with id 1', and a raw "int16" asked for "channels".
    for (const [extra, why] of [
      [{ stream: { a: 1 } }, /^Expected a stream name for "stream" but received object$/],
      [{ startSec: 1 }, /^An export request has no field "startSec": it takes source, raw, stream, preset, format, outDir, overwrite, startS, endS, channels and ramBudgetBytes$/],
      [{ raw: { channels: 64, fs: 30000, dtyp: 'float32' } }, /^The raw options have no field "dtyp": they take channels, fs, dtype, gainUv and headerBytes$/],
      [{ overwrite: 'false' }, /^Expected true or false for "overwrite" but received the string "false"$/],
      [{ raw: 'int16' }, /^Expected \{channels, fs\[, dtype, gainUv, headerBytes\]\} for "raw" but received the string "int16"$/],
      [{ preset: { id: '1' } }, /^Expected a preset id \(a whole number\) for "preset\.id" but received the string "1"$/]
    ] as const) {
      for (const method of ['export.check', 'export.start']) {
        const r = await call(method, { ...request, ...extra });
        expect(r.error, `${method} ${JSON.stringify(extra)}`).toMatchObject({ code: 'INVALID_PARAMETER' });
        expect(r.error!.message).toMatch(why);
      }
    }
    const kinds = await call('export.source', { source: raw, raw: { channels: 64, fs: 30000 }, stream: 7 });
    expect(kinds.error!.message).toBe('Expected a stream name for "stream" but received 7');
    expect(existsSync(request.outDir)).toBe(false);
    expect((await call('export.history')).result).toEqual([]);
    // What the form sends still goes (a field left undefined is no field).
    expect((await call('export.check', { ...request, overwrite: false, startS: undefined, stream: undefined })).result).toMatchObject({ exists: false });
    ws.close();
  });

  it('refuses a plan for inputs no recording has, naming them by the limits the rest of the app has', async () => {
    const { url } = await start();
    const { ws, call } = await connect(url);
    const plan = { channels: 384, fs: 30000, dtype: 'int16', job: 'export' };
    // Before, each was planned: 'the smallest plan needs Infinity GiB' for 1e15 channels, 6.95e+293
    // GiB for a rate of 1e300 Hz, 2.38e+297 GiB for a margin of 1e303 samples ('of 3.3e+298 s'),
    // '1 job × 1000000000 workers' as a plan.
    for (const [extra, why] of [
      [{ channels: 1e15, fs: 1e300 }, 'Expected a channel count from 1 to 65536 for "channels" but received 1000000000000000'],
      [{ channels: 65537 }, 'Expected a channel count from 1 to 65536 for "channels" but received 65537'],
      [{ fs: 1e300 }, 'Expected a sampling rate above 0 Hz, at most 10 MHz for "fs" but received 1e+300'],
      [{ marginSamples: 1e303 }, 'Expected a whole number of samples, 0 or more for "marginSamples" but received 1e+303'],
      [{ chunkSamples: 1e303 }, 'Expected a positive number of samples for "chunkSamples" but received 1e+303'],
      [{ nWorkers: 1e9 }, 'Expected "auto" or an integer from 1 to 256 for "nWorkers" but received 1000000000'],
      [{ nJobs: 1e9 }, 'Expected an integer from 1 to 64 for "nJobs" but received 1000000000']
    ] as const) {
      const r = await call('planner.plan', { ...plan, ...extra });
      expect(r.error, JSON.stringify(extra)).toMatchObject({ code: 'INVALID_PARAMETER', message: why });
    }
    // At the limits, a plan is made (or the budget is said to be too small, in numbers).
    for (const extra of [{ channels: 384, marginSamples: 1_800_000, ramBudgetBytes: 2 ** 40 }, { channels: 1, fs: 10e6, nJobs: 64, nWorkers: 256 }, { channels: 65536, job: 'live', ramBudgetBytes: 2 ** 30 }]) {
      const r = await call('planner.plan', { ...plan, ...extra });
      if (r.error) expect(r.error, JSON.stringify(extra)).toMatchObject({ code: 'BUDGET_TOO_SMALL', message: expect.not.stringMatching(/Infinity|e\+/) });
      else expect(r.result, JSON.stringify(extra)).toMatchObject({ nJobs: expect.any(Number) });
    }
    ws.close();
  });

  // Whether /proc/1's fdinfo and map_files are closed even to root here (a sandbox's first process), and
  // whether a user namespace can be made: each half below needs one, and says nothing where it is missing.
  const procLocked = ['fdinfo', 'map_files'].every((f) => {
    try {
      readdirSync(`/proc/1/${f}`);
      return false;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'EACCES';
    }
  });
  const asOtherUser = process.getuid?.() === 0 && spawnSync('unshare', ['-r', 'true']).status === 0;

  it.runIf(procLocked)('looks on past a folder it cannot read for an Open Ephys recording, and says which it could not', async () => {
    const { url } = await start();
    const { ws, call } = await connect(url);
    // /proc/1 holds two folders even root may not list here (the first process's fdinfo and map_files),
    // as a drive's lost+found or another user's folder would for anyone. Before, the first one stopped
    // the whole search: '/proc/1/fdinfo: permission denied', and opening / said the same.
    for (const folder of ['fdinfo', 'map_files']) expect(() => readdirSync(`/proc/1/${folder}`), folder).toThrow(/EACCES/);
    const r = await call('session.open', { source: { kind: 'recording', path: '/proc/1' } });
    expect(r.error).toMatchObject({ code: 'NO_RECORDING' });
    // Each is passed over, the search goes on past it (into task/, and their own), and they are said.
    expect(r.error!.message).toMatch(/^\/proc\/1: holds no Open Ephys recording \(no structure\.oebin found; \d+ folders in it could not be looked into: \/proc\/1\/fdinfo \(permission denied\), \/proc\/1\/map_files \(permission denied\), \/proc\/1\/task\/1\/fdinfo \(permission denied\), …\)$/);
    expect((await call('engine.info')).result).toMatchObject({ version: '0.1.0' });
    ws.close();
  });

  it.runIf(asOtherUser)('opens an Open Ephys recording beside a folder it cannot list', () => {
    // A recording beside a folder that cannot be listed is found and opened. Root lists any folder
    // of its own, so the folder is another user's and the search runs as a root mapped to this one
    // only (a user namespace): there, as for anyone but root, it cannot be listed.
    const node = join(tempDir(), 'Record Node 101');
    const stream = join(node, 'experiment1', 'recording1', 'continuous', 'Rhythm-100.0');
    mkdirSync(stream, { recursive: true });
    const channels = Array.from({ length: 4 }, (_, i) => ({ channel_name: `CH${i + 1}`, bit_volts: 0.195 }));
    writeFileSync(join(node, 'experiment1', 'recording1', 'structure.oebin'), JSON.stringify({ continuous: [{ folder_name: 'Rhythm-100.0/', sample_rate: 30000, stream_name: 'Rhythm', num_channels: 4, channels }] }));
    writeFileSync(join(stream, 'continuous.dat'), new Uint8Array(4 * 2 * 1000));
    mkdirSync(join(node, 'lost+found'), { mode: 0 });
    chownSync(join(node, 'lost+found'), 12345, 12345);
    const asOther = (...args: string[]) => spawnSync('unshare', ['-r', process.execPath, ...args], { encoding: 'utf8', timeout: 60_000 });
    expect(asOther('-e', `require('node:fs').readdirSync(${JSON.stringify(join(node, 'lost+found'))})`).stderr).toMatch(/EACCES/);
    const info = asOther(join(repoRoot, 'bin/probedeck.js'), 'info', node);
    expect(info.stderr).toBe('');
    expect(JSON.parse(info.stdout)).toMatchObject({ format: 'openephys', stream: 'Rhythm', samples: 1000 });
  });

  it('holds no more for a window of a wide recording than for a 384-channel one', async () => {
    const { dir, url } = await start();
    const { ws, call } = await connect(url);
    // 8192 channels typed for a raw file (a wide array, or a channel count typed wrong): 1 s is 1 GB
    // in float32. Before, one request for its first second in columns took the host from 160 MB to
    // 1.7 GB, kept for as long as the recording stayed open, and its 40 s for the probe map would have
    // asked for 40 GB; a window was bounded by its samples only (40 s, as for any probe).
    const wide = join(dir, 'wide.dat');
    writeFileSync(wide, '');
    truncateSync(wide, 8192 * 2 * 30000 * 2);
    expect((await call('session.open', { source: { kind: 'recording', path: wide, channels: 8192, fs: 30000 } })).result).toMatchObject({ kind: 'recording' });
    const before = process.memoryUsage().rss;
    const columns = await call('session.columns', { fromColumn: 0, samplesPerColumn: 30, maxColumns: 1000, processed: false });
    expect(columns.result).toMatchObject({ count: 1000, channels: 8192 });
    expect(process.memoryUsage().rss - before).toBeLessThan(600 * 2 ** 20);
    const activity = await call('session.activity', { seconds: 2, endSample: 60_000 });
    expect(activity.error).toMatchObject({ code: 'WINDOW_TOO_LONG', message: 'a window of 2.0 s of 8192 channels is more than the view processes at once (1.9 s at this channel count)' });
    ws.close();
  });

  it('keeps each excluded channel once, however often a pipeline names it', async () => {
    const { dir, url } = await start();
    const { ws, call } = await connect(url);
    const raw = join(dir, 'plain.dat');
    writeFileSync(raw, new Uint8Array(384 * 2 * 1000));
    expect((await call('session.open', { source: { kind: 'recording', path: raw, channels: 384, fs: 30000 } })).result).toMatchObject({ kind: 'recording' });
    // Before, the list was kept as it came: a million entries of channel 5 went out in every status
    // and every session.info, to every tab, as a million bad channels.
    const info = (await call('session.setPipeline', { filter: null, reference: { mode: 'global' }, exclude: [...new Array(1e6).fill(5), 7, 5] })).result as { pipeline: { exclude: number[] }; badChannels: { index: number }[] };
    expect(info.pipeline.exclude).toEqual([5, 7]);
    expect(info.badChannels).toEqual([{ index: 5, label: 'known' }, { index: 7, label: 'known' }]);
    expect(((await call('session.status')).result as { badChannels: unknown[] }).badChannels).toHaveLength(2);
    // An entry that is no channel is named by its place.
    const bad = await call('session.setPipeline', { filter: null, reference: { mode: 'global' }, exclude: [1, 2, -3] });
    expect(bad.error).toMatchObject({ code: 'INVALID_PARAMETER' });
    expect(bad.error!.message).toMatch(/"pipeline\.exclude\[2\]" but received -3/);
    ws.close();
  });

  it('says why a window for the probe map or the spectrum holds nothing, in the request\'s own words', async () => {
    const { dir, url } = await start();
    const { ws, call } = await connect(url);
    const raw = join(dir, 'plain.dat');
    writeFileSync(raw, new Uint8Array(384 * 2 * 30_000));
    expect((await call('session.open', { source: { kind: 'recording', path: raw, channels: 384, fs: 30000 } })).result).toMatchObject({ kind: 'recording' });
    // Before: 'rows [0, -5) are outside [0, 30000)', 'Expected at least one row for "data" but
    // received 0', and for the spectrum 'Expected a segment of 8 to 0 samples (the window's length)
    // for "nperseg" but received 0', naming a parameter the request did not send.
    for (const method of ['session.activity', 'session.spectrum']) {
      const ask = (p: object) => call(method, { channels: [0], processed: true, ...p });
      const negative = await ask({ seconds: 1, endSample: -5 });
      expect(negative.error).toMatchObject({ code: 'INVALID_PARAMETER' });
      expect(negative.error!.message).toMatch(/for "endSample" but received -5/);
      for (const p of [{ seconds: 1, endSample: 0 }, { seconds: 1e-9 }]) {
        const empty = await ask(p);
        expect(empty.error, `${method} ${JSON.stringify(p)}`).toMatchObject({ code: 'NO_DATA' });
        expect(empty.error!.message).not.toMatch(/nperseg|"data"/);
        expect(empty.error!.message).toMatch(/holds 0 samples/);
      }
    }
    const short = await call('session.spectrum', { channels: [0], processed: true, seconds: 1, endSample: 5 });
    expect(short.error).toMatchObject({ code: 'NO_DATA' });
    expect(short.error!.message).toMatch(/holds 5 samples.*at least 8/);
    // What a window can answer still is.
    expect((await call('session.spectrum', { channels: [0], processed: true, seconds: 1, endSample: 100 })).result).toMatchObject({ bins: 51 });
    // Live, once there are samples, a window under one is said as such, not as 'no processed data yet'.
    expect((await call('session.open', { source: { kind: 'simulator' } })).result).toMatchObject({ kind: 'simulator' });
    await expect.poll(async () => ((await call('session.status')).result as { newestSample: number }).newestSample, { timeout: 10_000 }).toBeGreaterThan(100);
    for (const method of ['session.activity', 'session.spectrum']) {
      const live = await call(method, { channels: [0], processed: true, seconds: 1e-9 });
      expect(live.error).toMatchObject({ code: 'NO_DATA' });
      expect(live.error!.message).toMatch(/the 1e-9 s ending at sample \d+ holds 0 samples at 30000 Hz/);
    }
    ws.close();
  });

  it('refuses an export history length SQLite cannot take, naming it', async () => {
    const { url } = await start();
    const { ws, call } = await connect(url);
    // Before: 'datatype mismatch' (SQLITE_MISMATCH) for 1e300; -1 listed every export ever made.
    for (const limit of [1e300, -1, 0, 2.5, 'x']) {
      const r = await call('export.history', { limit });
      expect(r.error, String(limit)).toMatchObject({ code: 'INVALID_PARAMETER' });
      expect(r.error!.message).toMatch(/from 1 to 1000 for "limit"/);
    }
    expect((await call('export.history', { limit: 20 })).result).toEqual([]);
    expect((await call('export.history')).result).toEqual([]);
    ws.close();
  });

  it('says what came in place of a source', async () => {
    const { url } = await start();
    const { ws, call } = await connect(url);
    // Before, the whole request was described: 'Expected an object for "source" but received object'.
    for (const [source, what] of [['simulator', 'the string "simulator"'], [7, '7'], [null, 'null'], [['x'], 'an array of length 1']] as const) {
      const r = await call('session.open', { source });
      expect(r.error).toMatchObject({ code: 'INVALID_PARAMETER' });
      expect(r.error!.message).toBe(`Expected an object for "source" but received ${what}`);
    }
    expect((await call('session.open', 'simulator')).error!.message).toBe('Expected an object { source } for "params" but received the string "simulator"');
    ws.close();
  });

  it('keeps a preset\'s known bad channels to channels a probe can have, once each', async () => {
    const { url } = await start();
    const { ws, call } = await connect(url);
    const body = (manual: number[]) => ({ pipeline: { filter: { kind: 'none' }, badChannels: { detect: 'none', manual }, reference: { mode: 'global' } }, display: {} });
    // Before, two million were stored, and every presets.list (each page load, each menu) sent 15 MB.
    const huge = await call('presets.create', { name: 'huge', body: body(Array.from({ length: 2e6 }, (_, i) => i)) });
    expect(huge.error).toMatchObject({ code: 'INVALID_PARAMETER' });
    expect(huge.error!.message).toBe('Expected a channel index (a whole number from 0 to 65535; AP12 is 12) for "pipeline.badChannels.manual[65536]" but received 65536');
    const twice = await call('presets.create', { name: 'twice', body: body([3, 3, 5, 3]) });
    expect((twice.result as { body: { pipeline: { badChannels: { manual: number[] } } } }).body.pipeline.badChannels.manual).toEqual([3, 5]);
    ws.close();
  });

  it('closes a socket that breaks the WebSocket protocol, and stays up for the others', async () => {
    const { url } = await start();
    // A text frame that is not UTF-8, and a frame past the 64 MiB the host reads: before, the
    // server's socket raised an 'error' no one listened to, which ended the host process.
    for (const [frame, code] of [
      [{ data: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), binary: false }, 1007],
      [{ data: Buffer.alloc(65 * 2 ** 20, 0x20), binary: false }, 1009]
    ] as const) {
      const ws = new WebSocket(url);
      ws.on('error', () => {});
      await new Promise((r) => ws.once('open', r));
      const closed = new Promise<number>((resolve) => ws.once('close', (c) => resolve(c)));
      ws.send(frame.data, { binary: frame.binary });
      expect(await closed).toBe(code);
    }
    expect(escaped).toEqual([]);
    const { ws, call } = await connect(url);
    expect((await call('engine.info')).result).toMatchObject({ version: '0.1.0' });
    ws.close();
  });

  it('survives clients that reset the connection while their upgrade is refused', async () => {
    const { url } = await start();
    const port = Number(new URL(url).port);
    // A scanner on the lab network, a page of another origin: refused, and gone before reading why.
    // Before, the reset reached the refused socket with no one listening, which ended the host.
    for (let i = 0; i < 20; i++) {
      await new Promise<void>((resolve) => {
        const s = createConnection(port, '127.0.0.1', () => {
          const origin = i % 2 ? '' : 'Origin: http://evil.example\r\n';
          s.write(`GET /${i % 2 ? 'elsewhere' : 'ws'} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${origin}\r\n`);
          setTimeout(() => {
            s.resetAndDestroy();
            resolve();
          }, i % 3);
        });
        s.on('error', () => resolve());
      });
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(escaped).toEqual([]);
    const { ws, call } = await connect(url);
    expect((await call('engine.info')).result).toMatchObject({ version: '0.1.0' });
    ws.close();
  });

  it('refuses an upgrade whose Origin or address is no URL, and stays up', async () => {
    const { url } = await start();
    const port = Number(new URL(url).port);
    const upgrade = (target: string, origin: string) =>
      new Promise<string>((resolve) => {
        let got = '';
        const s = createConnection(port, '127.0.0.1', () => s.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: ${origin}\r\n\r\n`));
        s.on('data', (d) => (got += d));
        s.on('close', () => resolve(got));
        s.on('error', () => resolve(got));
        setTimeout(() => (s.destroy(), resolve(`${got}(no answer)`)), 2000);
      });
    // Before, parsing them threw in the upgrade listener: uncaught, which ends the host, and no answer.
    expect(await upgrade('/ws', 'not a url')).toMatch(/^HTTP\/1\.1 403 .*cross-origin WebSocket refused/s);
    expect(await upgrade('/ws', 'http://[::1')).toMatch(/^HTTP\/1\.1 403 .*cross-origin WebSocket refused/s);
    expect(await upgrade('http://[::1/ws', `http://127.0.0.1:${port}`)).toMatch(/^HTTP\/1\.1 404 .*not found/s);
    expect(escaped).toEqual([]);
    const { ws, call } = await connect(url);
    expect((await call('engine.info')).result).toMatchObject({ version: '0.1.0' });
    ws.close();
  });

  it('answers a page request whose address is no URL with 400, and stays up', async () => {
    const { url } = await start();
    const port = Number(new URL(url).port);
    const get = (target: string) =>
      new Promise<string>((resolve) => {
        let got = '';
        const s = createConnection(port, '127.0.0.1', () => s.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`));
        s.on('data', (d) => (got += d));
        s.on('close', () => resolve(got));
        s.on('error', () => resolve(got));
        setTimeout(() => (s.destroy(), resolve(`${got}(no answer)`)), 2000);
      });
    // '//' is what a browser sends for http://127.0.0.1:5173// typed with one slash too many. Before,
    // parsing it threw in the request listener: uncaught, which ends the host, and no answer.
    for (const target of ['//', 'http://[::1/', 'http://x:99999/']) expect(await get(target), target).toMatch(/^HTTP\/1\.1 400 /);
    expect(await get('/')).toMatch(/^HTTP\/1\.1 200 /);
    expect(escaped).toEqual([]);
  });

  it('follows a raw .dat file as the channels and rate typed say', async () => {
    const { dir, url } = await start();
    const { ws, call } = await connect(url);
    const dat = join(dir, 'acquisition.dat');
    writeFileSync(dat, new Uint8Array(64 * 2 * 3000));
    // Before, the .dat was taken for its own .meta (only a .bin's name changes to .meta):
    // '"nSavedChans" is missing or not a number', and no raw file but a .bin could be followed.
    const opened = await call('session.open', { source: { kind: 'file', path: dat, channels: 64, fs: 30000 } });
    expect(opened.error).toBeUndefined();
    expect(opened.result).toMatchObject({ kind: 'file', fs: 30000 });
    for (let i = 0; i < 8; i++) {
      appendFileSync(dat, new Uint8Array(64 * 2 * 3000));
      await new Promise((r) => setTimeout(r, 150));
    }
    await new Promise((r) => setTimeout(r, 600));
    const status = (await call('session.status')).result as { state: string; message: string | null; newestSample: number; channels: number };
    expect(status).toMatchObject({ state: 'running', message: null, channels: 64 });
    expect(status.newestSample).toBeGreaterThan(3000);
    ws.close();
  });

  it('names the spectrum channel that the source does not have', async () => {
    const { dir, url } = await start();
    const { ws, call } = await connect(url);
    const raw = join(dir, 'plain.dat');
    writeFileSync(raw, new Uint8Array(384 * 2 * 30_000));
    for (const source of [{ kind: 'recording', path: raw, channels: 384, fs: 30000 }, { kind: 'simulator' }]) {
      expect((await call('session.open', { source })).result).toMatchObject({ channels: expect.any(Array) });
      if (source.kind === 'simulator') await expect.poll(async () => ((await call('session.status')).result as { newestSample: number }).newestSample, { timeout: 10_000 }).toBeGreaterThan(5000);
      // Before: 'Expected channel indices below 384 for "list" but received an array of length 2',
      // the engine's name for it, and not which one.
      const r = await call('session.spectrum', { channels: [3, 384], seconds: 0.1, processed: true });
      expect(r.error, source.kind).toMatchObject({ code: 'INVALID_PARAMETER' });
      expect(r.error!.message).toBe('Expected a channel index from 0 to 383 for "channels[1]" but received 384');
    }
    ws.close();
  });

  it('survives a page file that cannot be read after it was found', async () => {
    const { dir, url } = await start();
    // A file found but unreadable once opened (deleted by a rebuild of the renderer between the two,
    // a disk error; here /proc/self/mem, which every read refuses with EIO): before, the read
    // stream's error had no listener, which ended the host.
    symlinkSync('/proc/self/mem', join(dir, 'static', 'broken.js'));
    const base = url.replace('ws://', 'http://').replace('/ws', '');
    await fetch(`${base}/broken.js`, { signal: AbortSignal.timeout(2000) }).then((r) => r.arrayBuffer()).catch(() => null);
    await new Promise((r) => setTimeout(r, 200));
    expect(escaped).toEqual([]);
    expect((await fetch(`${base}/`)).status).toBe(200);
  });

  it('answers an import of a file that is no preset at once, whatever its text', async () => {
    const { url } = await start();
    const { ws, call } = await connect(url);
    // A long run of letters (a hex dump, padding) is neither JSON nor a Python dict. Before, the
    // look for a Python call in it tried every start against the whole rest: 100 000 letters held
    // the host (every tab, a live view's processing) for half a minute, the 1 MB allowed for an hour.
    const t0 = performance.now();
    const r = await call('presets.import', { text: 'a'.repeat(100_000) });
    expect(r.error).toMatchObject({ code: 'BAD_IMPORT' });
    expect(performance.now() - t0).toBeLessThan(3000);
    // A call Python prints into a dict is still named.
    const np = await call('presets.import', { text: "{'bandpass_filter': {'freq_min': np.float64(300.0)}}" });
    expect(np.error!.message).toMatch(/it holds np\.float64\(300\.0\), which neither can carry/);
    ws.close();
  });
});
