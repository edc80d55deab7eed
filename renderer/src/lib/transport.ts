// Picks the transport once at start-up: Electron's preload bridge when present, else a WebSocket
// to the host that served this page. Everything above this file sees only ApiClient.
import type { ApiClient, ApiEvents, EventName, MethodName, WireError } from '../../../main/api/contract.ts';
import { decode, encode, type ServerMessage } from '../../../main/api/wire.ts';

interface ElectronBridge {
  methods: Record<string, (params?: unknown) => Promise<{ ok: true; result: unknown } | { ok: false; error: WireError }>>;
  on(event: string, listener: (payload: unknown) => void): () => void;
}

export class ApiCallError extends Error {
  readonly code: string | undefined;
  constructor(e: WireError) {
    super(e.message);
    this.name = e.name;
    this.code = e.code;
  }
}

function electronClient(bridge: ElectronBridge): ApiClient {
  return {
    transport: 'electron',
    async call(method: MethodName, ...params: unknown[]) {
      const reply = await bridge.methods[method](params[0]);
      if (!reply.ok) throw new ApiCallError(reply.error);
      return reply.result as never;
    },
    on: (event, listener) => bridge.on(event, listener as (p: unknown) => void)
  };
}

function websocketClient(): ApiClient {
  const token = new URLSearchParams(location.search).get('token');
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let nextId = 1;
  let ws: WebSocket;
  let retryMs = 250;
  // Settles when a connection is open; while the host is away, a fresh one makes calls wait for
  // the next connection (sent on a closed socket, they were dropped and never answered).
  let connected = false;
  let ready: () => void = () => {};
  let open = new Promise<void>((resolve) => (ready = resolve));

  const connect = () => {
    ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    ws.addEventListener('open', () => {
      retryMs = 250;
      connected = true;
      for (const event of listeners.keys()) ws.send(encode({ t: 'sub', event }));
      ready();
    });
    ws.addEventListener('message', (e) => {
      const msg = decode(e.data as string | ArrayBuffer) as ServerMessage;
      if (msg.t === 'event') for (const l of listeners.get(msg.event) ?? []) l(msg.payload);
      else {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.t === 'result') p?.resolve(msg.result);
        else p?.reject(new ApiCallError(msg.error));
      }
    });
    ws.addEventListener('close', () => {
      if (connected) {
        connected = false;
        open = new Promise<void>((resolve) => (ready = resolve));
      }
      for (const p of pending.values()) p.reject(new Error('The connection to the ProbeDeck host was lost'));
      pending.clear();
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    });
  };
  connect();

  return {
    transport: 'websocket',
    async call(method: MethodName, ...params: unknown[]) {
      while (ws.readyState !== WebSocket.OPEN) await open;
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        ws.send(encode({ t: 'call', id, method, params: params[0] }));
      }) as never;
    },
    on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void) {
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
        if (ws.readyState === WebSocket.OPEN) ws.send(encode({ t: 'sub', event }));
      }
      set.add(listener as (p: unknown) => void);
      return () => {
        set.delete(listener as (p: unknown) => void);
        if (set.size === 0) {
          listeners.delete(event);
          if (ws.readyState === WebSocket.OPEN) ws.send(encode({ t: 'unsub', event }));
        }
      };
    }
  };
}

export function connectApi(): ApiClient {
  const bridge = (globalThis as { probedeck?: ElectronBridge }).probedeck;
  return bridge ? electronClient(bridge) : websocketClient();
}
