// Browser mode: the host's API over a WebSocket, and the built renderer over HTTP, from one port.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { isEventName } from '../api/contract.ts';
import { toWireError, type Host } from '../api/host.ts';
import { decode, encode, type ClientMessage, type ServerMessage } from '../api/wire.ts';
import type { SessionInfo } from '../api/domains/session.ts';
import { serveStatic } from './static.ts';
import { formatBytes } from '../util/byte-size.ts';

export interface ServerOptions {
  host: string;
  port: number;
  /** Required from every non-loopback client; generated when binding beyond loopback. */
  token?: string;
  staticDir: string;
  /** How long the demo simulator runs on once the last browser tab has gone (default 60 s). */
  idleStopMs?: number;
}

export interface RunningServer {
  url: string;
  token: string | undefined;
  server: Server;
  close(): Promise<void>;
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.replace(/^::ffff:/, '');
  return a === '::1' || a === 'localhost' || /^127(\.\d{1,3}){3}$/.test(a);
}

function sameToken(given: string | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Why a WebSocket upgrade is refused, or null when it is allowed. */
export function refusal(req: IncomingMessage, token: string | undefined): string | null {
  // Neither is trusted to parse ('http://[::1' as the target, 'not a url' as Origin): a throw here,
  // in the upgrade listener, ended the host.
  const url = URL.parse(req.url ?? '/', 'http://x');
  if (url?.pathname !== '/ws') return 'not found';
  // WebSockets ignore the same-origin policy: refuse pages of other origins (DNS rebinding,
  // a hostile site probing 127.0.0.1) by checking Origin against Host.
  const origin = req.headers.origin;
  if (origin && URL.parse(origin)?.host !== req.headers.host) return 'cross-origin WebSocket refused';
  const remote = req.socket.remoteAddress;
  if (isLoopback(remote) && !token) {
    // After a DNS rebinding, a hostile page's Origin and Host both name its own domain, which now
    // resolves to 127.0.0.1: only a page that asked for this machine by a loopback name gets in.
    const name = URL.parse(`http://${req.headers.host ?? ''}`)?.hostname.replace(/^\[|\]$/g, '');
    return isLoopback(name) ? null : 'a loopback-only server answers pages addressed to 127.0.0.1, localhost or [::1] only';
  }
  if (!token) return 'non-loopback clients are not allowed on a loopback-only server';
  return sameToken(url.searchParams.get('token'), token) ? null : 'a valid token is required';
}

/** The shapes ClientMessage allows: anything else (null, a number, a call without an id) closes the socket. */
function isClientMessage(m: unknown): m is ClientMessage {
  if (typeof m !== 'object' || m === null) return false;
  const o = m as Record<string, unknown>;
  if (o.t === 'call') return typeof o.id === 'number' && typeof o.method === 'string';
  return (o.t === 'sub' || o.t === 'unsub') && typeof o.event === 'string';
}

/**
 * What a client has not read yet waits in this process: one that stops reading (a script that never
 * does, a frozen tab) while asking for screens of columns, 25 MB each, would have the host hold them
 * all. Past this it is disconnected; the page's transport reconnects and asks again.
 */
export const MAX_UNREAD_BYTES = 128 * 2 ** 20;

function attach(ws: WebSocket, host: Host, who: string): void {
  const subscriptions = new Map<string, () => void>();
  const send = (msg: ServerMessage) => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_UNREAD_BYTES) {
      // A close frame would wait behind what it does not read: the socket is dropped at once.
      console.warn(`probedeck: ${who} left ${formatBytes(ws.bufferedAmount)} of replies unread; disconnected`);
      ws.terminate();
      return;
    }
    ws.send(encode(msg));
  };
  ws.on('message', async (data, isBinary) => {
    let msg: ClientMessage;
    try {
      const decoded = decode(isBinary ? new Uint8Array(data as Buffer) : data.toString());
      if (!isClientMessage(decoded)) throw new Error('not a client message');
      msg = decoded;
    } catch {
      ws.close(1003, 'unreadable message');
      return;
    }
    if (msg.t === 'call') {
      try {
        send({ t: 'result', id: msg.id, result: await host.call(msg.method, msg.params) });
      } catch (err) {
        // This handler's promise has no one to reject to: a throw here would end the process.
        try {
          send({ t: 'error', id: msg.id, error: toWireError(err) });
        } catch {
          ws.close(1011, 'could not send the error');
        }
      }
    } else if (msg.t === 'sub' && isEventName(msg.event) && !subscriptions.has(msg.event)) {
      const event = msg.event;
      subscriptions.set(event, host.events.on(event, (payload) => send({ t: 'event', event, payload })));
    } else if (msg.t === 'unsub') {
      subscriptions.get(msg.event)?.();
      subscriptions.delete(msg.event);
    }
  });
  // A frame that breaks the protocol (not UTF-8, past maxPayload): ws closes the socket with its
  // code (1007, 1009) and raises this, which unheard ended the host.
  ws.on('error', (err) => console.warn(`probedeck: ${who} broke the WebSocket protocol (${err.message}); disconnected`));
  ws.on('close', () => {
    for (const off of subscriptions.values()) off();
    subscriptions.clear();
  });
}

export async function startServer(host: Host, options: ServerOptions): Promise<RunningServer> {
  const token = options.token ?? (isLoopback(options.host) ? undefined : randomBytes(18).toString('base64url'));
  const server = createServer((req, res) => serveStatic(options.staticDir, req, res));
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 });
  // The demo simulator processes in real time for no one once every tab has gone: on an acquisition
  // PC a third of a core for nothing. A reload comes back within the grace; a followed file or a
  // recording stays open (a live file's history goes on filling, as the rig expects).
  let idle: NodeJS.Timeout | null = null;
  const whenAlone = () => {
    if (wss.clients.size > 0 || idle) return;
    idle = setTimeout(() => {
      idle = null;
      if (wss.clients.size > 0) return;
      void (async () => {
        const info = (await host.call('session.info', undefined)) as SessionInfo | null;
        if (info?.kind === 'simulator' && wss.clients.size === 0) await host.call('session.close', undefined);
      })().catch(() => {});
    }, options.idleStopMs ?? 60_000);
    idle.unref();
  };
  server.on('upgrade', (req, socket, head) => {
    const why = refusal(req, token);
    if (why) {
      // Node leaves an upgrading socket's errors to us: a client gone before reading why (a reset)
      // raised one no one listened to, which ended the host.
      socket.on('error', () => {});
      socket.end(`HTTP/1.1 ${why === 'not found' ? 404 : 403} Forbidden\r\nConnection: close\r\n\r\n${why}\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (idle) clearTimeout(idle);
      idle = null;
      attach(ws, host, `the client at ${req.socket.remoteAddress ?? 'an unknown address'}`);
      ws.on('close', whenAlone);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${shownHost}:${port}/${token ? `?token=${token}` : ''}`;
  return {
    url,
    token,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        if (idle) clearTimeout(idle);
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      })
  };
}
