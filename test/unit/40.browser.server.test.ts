import type { IncomingMessage } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createHost, type Host } from '../../main/api/host.ts';
import { decode, encode } from '../../main/api/wire.ts';
import { refusal, startServer, type RunningServer } from '../../main/browser/server.ts';
import { tempDir } from './helpers.ts';

function fakeUpgrade(remoteAddress: string, url: string, headers: Record<string, string> = {}): IncomingMessage {
  return { url, headers: { host: '127.0.0.1:1', ...headers }, socket: { remoteAddress } } as unknown as IncomingMessage;
}

describe('who may open the WebSocket', () => {
  it('lets loopback clients in on a loopback-only server', () => {
    expect(refusal(fakeUpgrade('127.0.0.1', '/ws'), undefined)).toBeNull();
    expect(refusal(fakeUpgrade('::ffff:127.0.0.1', '/ws'), undefined)).toBeNull();
    expect(refusal(fakeUpgrade('::1', '/ws'), undefined)).toBeNull();
  });
  it('refuses non-loopback clients without the token', () => {
    expect(refusal(fakeUpgrade('10.0.0.7', '/ws'), undefined)).toMatch(/non-loopback/);
    expect(refusal(fakeUpgrade('10.0.0.7', '/ws'), 'secret')).toMatch(/token is required/);
    expect(refusal(fakeUpgrade('10.0.0.7', '/ws?token=wrong!'), 'secret')).toMatch(/token is required/);
    expect(refusal(fakeUpgrade('10.0.0.7', '/ws?token=secret'), 'secret')).toBeNull();
  });
  it('refuses pages of another origin', () => {
    expect(refusal(fakeUpgrade('127.0.0.1', '/ws', { origin: 'http://evil.example' }), undefined)).toMatch(/cross-origin/);
    expect(refusal(fakeUpgrade('127.0.0.1', '/ws', { origin: 'http://127.0.0.1:1' }), undefined)).toBeNull();
  });
  it('refuses a page whose host name was re-pointed at this machine (DNS rebinding): Origin and Host agree, the name is not loopback', () => {
    const rebound = { host: 'evil.example:5173', origin: 'http://evil.example:5173' };
    expect(refusal(fakeUpgrade('127.0.0.1', '/ws', rebound), undefined)).toMatch(/addressed to 127.0.0.1, localhost or \[::1\] only/);
    for (const host of ['localhost:5173', '[::1]:5173', '127.0.0.1']) expect(refusal(fakeUpgrade('::1', '/ws', { host, origin: `http://${host}` }), undefined), host).toBeNull();
    for (const host of ['localhost.evil.example', '127.0.0.1.evil.example', '127.evil.example']) expect(refusal(fakeUpgrade('127.0.0.1', '/ws', { host }), undefined), host).toMatch(/loopback-only/);
    // A server given a token (open to the network) takes any name with it.
    expect(refusal(fakeUpgrade('127.0.0.1', '/ws?token=secret', rebound), 'secret')).toBeNull();
  });
});

describe('browser-mode server (real host, real socket)', () => {
  let host: Host;
  let server: RunningServer;
  afterEach(async () => {
    await server?.close();
    host?.close();
  });

  async function start(token?: string, idleStopMs?: number) {
    const dir = tempDir();
    const staticDir = join(dir, 'static');
    mkdirSync(staticDir, { recursive: true });
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><p>hi</p>');
    host = createHost({ dataDir: join(dir, 'data'), transport: 'websocket' });
    server = await startServer(host, { host: '127.0.0.1', port: 0, token, staticDir, idleStopMs });
    return `ws://127.0.0.1:${(server.server.address() as { port: number }).port}/ws`;
  }

  function call(ws: WebSocket, method: string, params?: unknown): Promise<{ t: string; result?: unknown; error?: { code?: string; message: string } }> {
    return new Promise((resolve) => {
      ws.once('message', (data, isBinary) => resolve(decode(isBinary ? new Uint8Array(data as Buffer) : data.toString()) as never));
      ws.send(encode({ t: 'call', id: 1, method, params }));
    });
  }

  it('answers API calls and round-trips a value through SQLite', async () => {
    const url = await start();
    const ws = new WebSocket(url);
    await new Promise((r) => ws.once('open', r));
    expect((await call(ws, 'engine.info')).result).toMatchObject({ version: '0.1.0' });
    await call(ws, 'settings.set', { key: 'e2e.value', value: 'λ 42' });
    expect((await call(ws, 'settings.get', { key: 'e2e.value' })).result).toBe('λ 42');
    const bad = await call(ws, 'settings.set', { key: 'bad key!', value: 'x' });
    expect(bad.error).toMatchObject({ code: 'INVALID_PARAMETER' });
    expect(bad.error!.message).toMatch(/"key"/);
    expect((await call(ws, 'no.such')).error).toMatchObject({ code: 'UNKNOWN_METHOD' });
    ws.close();
  });

  it('stops the demo simulator once every tab has gone for the grace period; a reload within it keeps it', async () => {
    const url = await start(undefined, 400);
    const connect = async () => {
      const ws = new WebSocket(url);
      await new Promise((r) => ws.once('open', r));
      return ws;
    };
    let ws = await connect();
    expect((await call(ws, 'session.open', { source: { kind: 'simulator' } })).result).toMatchObject({ kind: 'simulator' });
    ws.close();
    await new Promise((r) => setTimeout(r, 100));
    ws = await connect(); // a reload
    await new Promise((r) => setTimeout(r, 700));
    expect((await call(ws, 'session.info')).result).toMatchObject({ kind: 'simulator' });
    ws.close();
    await expect.poll(async () => host.call('session.info', undefined), { timeout: 5000 }).toBeNull();
  });

  it('closes a socket that sends what is not a message, and keeps serving the others', async () => {
    const url = await start();
    for (const junk of ['null', '42', '"call"', '{"t":"call"}', '{"t":"call","id":"1","method":7}', '[1,2]', '{"t":"sub"}', 'not json']) {
      const ws = new WebSocket(url);
      await new Promise((r) => ws.once('open', r));
      const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
      ws.send(junk);
      expect(await closed).toBe(1003);
    }
    const ws = new WebSocket(url);
    await new Promise((r) => ws.once('open', r));
    expect((await call(ws, 'engine.info')).result).toMatchObject({ version: '0.1.0' });
    ws.close();
  });

  it('refuses a client without the token once a token is set', async () => {
    const url = await start('tok123');
    const refused = new WebSocket(url);
    const status = await new Promise<number>((resolve) => refused.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(403);
    const ok = new WebSocket(`${url}?token=tok123`);
    await new Promise((r) => ok.once('open', r));
    ok.close();
  });

  it('serves the renderer with a CSP and never outside its folder', async () => {
    const ws = await start();
    const base = ws.replace('ws://', 'http://').replace('/ws', '');
    const res = await fetch(base + '/');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await res.text()).toContain('hi');
    expect((await fetch(base + '/..%2f..%2fpackage.json')).status).toBeGreaterThanOrEqual(403);
  });
});

describe("the page's WebSocket client across a host restart (real server, Node's WebSocket)", () => {
  it('a call made while the host is away waits for it and is answered; the view can then open its source again', async () => {
    const dir = tempDir();
    const staticDir = join(dir, 'static');
    mkdirSync(staticDir, { recursive: true });
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><p>hi</p>');
    let host = createHost({ dataDir: join(dir, 'data'), transport: 'websocket' });
    let server = await startServer(host, { host: '127.0.0.1', port: 0, staticDir });
    const port = (server.server.address() as { port: number }).port;
    const g = globalThis as { location?: unknown };
    g.location = { protocol: 'http:', host: `127.0.0.1:${port}`, search: '' };
    // The page's own module (typed against the DOM, so not followed by this Node-typed test's checker).
    const transport = '../../renderer/src/lib/transport.ts';
    const { connectApi } = (await import(transport)) as { connectApi: () => import('../../main/api/contract.ts').ApiClient };
    const api = connectApi();
    try {
      expect(await api.call('engine.info')).toMatchObject({ version: '0.1.0' });
      await server.close();
      host.close();
      await new Promise((r) => setTimeout(r, 200)); // the page has seen its socket close
      // While the host is away: before, this call went to the closed socket and never settled.
      const answered = api.call('engine.info');
      await new Promise((r) => setTimeout(r, 300));
      host = createHost({ dataDir: join(dir, 'data'), transport: 'websocket' });
      server = await startServer(host, { host: '127.0.0.1', port, staticDir });
      expect(await answered).toMatchObject({ version: '0.1.0' });
      // The new host has no session: the view is told so by code, and opens its source again.
      await expect(api.call('session.columns', { fromColumn: 0, samplesPerColumn: 30, maxColumns: 10, processed: true })).rejects.toMatchObject({ code: 'NO_SESSION' });
    } finally {
      delete g.location;
      await server.close();
      host.close();
    }
  }, 20_000);
});
