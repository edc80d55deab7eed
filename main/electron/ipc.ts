// The contract over Electron IPC: one ipcMain.handle per method, events only to subscribed windows,
// and every call's sender frame checked against the app's own renderer.
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { METHOD_NAMES, isEventName } from '../api/contract.ts';
import { toWireError, type Host } from '../api/host.ts';

export function registerIpc(host: Host, isTrustedUrl: (url: string) => boolean): void {
  const trusted = (e: { senderFrame: { url: string } | null }) => e.senderFrame !== null && isTrustedUrl(e.senderFrame.url);

  for (const method of METHOD_NAMES) {
    ipcMain.handle(method, async (event: IpcMainInvokeEvent, params: unknown) => {
      if (!trusted(event)) return { ok: false, error: { name: 'Error', code: 'FORBIDDEN', message: 'untrusted sender' } };
      try {
        return { ok: true, result: await host.call(method, params) };
      } catch (err) {
        return { ok: false, error: toWireError(err) };
      }
    });
  }

  const subscriptions = new Map<WebContents, Map<string, () => void>>();
  ipcMain.on('subscribe', (event, name: unknown, on: unknown) => {
    if (!trusted(event) || !isEventName(name)) return;
    const wc = event.sender;
    let subs = subscriptions.get(wc);
    if (!subs) {
      subs = new Map();
      subscriptions.set(wc, subs);
      wc.once('destroyed', () => {
        for (const off of subscriptions.get(wc)?.values() ?? []) off();
        subscriptions.delete(wc);
      });
    }
    if (on && !subs.has(name)) subs.set(name, host.events.on(name, (payload) => wc.send(`event:${name}`, payload)));
    if (!on) {
      subs.get(name)?.();
      subs.delete(name);
    }
  });
}
