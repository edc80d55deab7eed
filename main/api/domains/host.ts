// The host itself: which transport the renderer is on, and notices the user must see
// (a database moved aside, a missing Electron binary, …).

export interface Notice {
  level: 'info' | 'warning' | 'error';
  message: string;
}

export interface HostStatus {
  transport: 'electron' | 'websocket';
  dataDir: string;
  databasePath: string;
  notices: Notice[];
}

export interface HostMethods {
  'host.status': { params: void; result: HostStatus };
}

export interface HostEvents {
  'host.notice': Notice;
}
