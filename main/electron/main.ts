// The Electron shell: one window, the security baseline, the host behind IPC. Nothing else.
import '../util/threadpool.ts';
import { app, BrowserWindow, dialog, session, shell } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createHost, type Host } from '../api/host.ts';
import { registerIpc } from './ipc.ts';
import { WEB_PREFERENCES, isAllowedExternal } from './security.ts';

const rendererIndex = join(import.meta.dirname, '../renderer/index.html');
const devUrl = process.env.ELECTRON_RENDERER_URL;
const appUrl = devUrl ?? pathToFileURL(rendererIndex).href;
const isTrustedUrl = (url: string) => (devUrl ? url.startsWith(devUrl) : url === appUrl || url.startsWith(appUrl + '#'));

let host: Host | undefined;

function createWindow(): void {
  const win = new BrowserWindow({
    width: 1600,
    height: 1000,
    title: 'ProbeDeck',
    icon: join(import.meta.dirname, '../../resources/icon.png'),
    webPreferences: { ...WEB_PREFERENCES, preload: join(import.meta.dirname, '../preload/index.cjs') }
  });
  win.webContents.on('will-navigate', (e) => e.preventDefault());
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternal(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  void (devUrl ? win.loadURL(devUrl) : win.loadFile(rendererIndex));
}

app.on('web-contents-created', (_e, contents) => {
  contents.on('will-attach-webview', (e) => e.preventDefault());
});

app.whenReady().then(() => {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  // No remote content: only our file:// (or the dev server) may load.
  session.defaultSession.webRequest.onBeforeRequest((details, callback) => {
    const ok = details.url.startsWith('file://') || details.url.startsWith('devtools://') || (devUrl !== undefined && details.url.startsWith(devUrl.replace(/\/$/, '')));
    callback({ cancel: !ok });
  });
  // Tests point the app at a scratch folder; users get Electron's userData.
  const dataDir = process.env.PROBEDECK_DATA_DIR || app.getPath('userData');
  try {
    host = createHost({ dataDir, transport: 'electron', dataRoots: [app.getPath('home')] });
  } catch (err) {
    // A settings database that cannot be opened (locked by another ProbeDeck, from a newer version,
    // unwritable) would otherwise leave no window and no word: say it as browser mode prints it.
    dialog.showErrorBox('ProbeDeck could not start', `${(err as Error).message}\n\n(settings folder: ${dataDir})`);
    app.exit(1);
    return;
  }
  registerIpc(host, isTrustedUrl);
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

// A running export is cancelled and its temporary folder removed before the app goes.
app.on('will-quit', (e) => {
  if (!host) return;
  e.preventDefault();
  const h = host;
  host = undefined;
  void h.close().finally(() => app.exit(0));
});
