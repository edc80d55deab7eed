// Exposes exactly the contract: one invoker per method and a listener slot per event. Never the raw
// ipcRenderer. Built as CommonJS because sandboxed preloads cannot be ES modules.
import { contextBridge, ipcRenderer } from 'electron';
import { EVENT_NAMES, METHOD_NAMES } from '../api/contract.ts';

const methods = Object.fromEntries(METHOD_NAMES.map((m) => [m, (params?: unknown) => ipcRenderer.invoke(m, params)]));

function on(event: string, listener: (payload: unknown) => void): () => void {
  if (!(EVENT_NAMES as readonly string[]).includes(event)) throw new Error(`unknown event ${event}`);
  const wrapped = (_e: unknown, payload: unknown) => listener(payload);
  ipcRenderer.on(`event:${event}`, wrapped);
  ipcRenderer.send('subscribe', event, true);
  return () => {
    ipcRenderer.off(`event:${event}`, wrapped);
    if (ipcRenderer.listenerCount(`event:${event}`) === 0) ipcRenderer.send('subscribe', event, false);
  };
}

contextBridge.exposeInMainWorld('probedeck', { methods, on });
