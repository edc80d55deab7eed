// Finding sources: recently opened ones, and (browser mode) folders under the allowed data roots.

export interface RecentSource {
  path: string;
  kind: string;
  options: Record<string, unknown>;
  openedAt: string;
}

export interface BrowseEntry {
  name: string;
  path: string;
  kind: 'folder' | 'recording' | 'raw';
}

export interface BrowseReply {
  root: string;
  path: string;
  parent: string | null;
  entries: BrowseEntry[];
}

export interface SourcesMethods {
  'sources.recent': { params: void; result: RecentSource[] };
  'sources.browse': { params: { path?: string } | void; result: BrowseReply };
}
