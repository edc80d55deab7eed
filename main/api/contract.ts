// The one typed API between renderer and host. Each domain declares its methods (request →
// response) and events (host → renderer streams) in domains/; this module joins them.
// The renderer imports it for types only; the host also uses the runtime lists below.
import type { EngineMethods } from './domains/engine.ts';
import type { ExportEvents, ExportMethods } from './domains/export.ts';
import type { HostEvents, HostMethods } from './domains/host.ts';
import type { PlannerEvents, PlannerMethods } from './domains/planner.ts';
import type { PresetsMethods } from './domains/presets.ts';
import type { SessionEvents, SessionMethods } from './domains/session.ts';
import type { SourcesMethods } from './domains/sources.ts';
import type { SettingsMethods } from './domains/settings.ts';

export type ApiMethods = EngineMethods & SettingsMethods & HostMethods & PresetsMethods & PlannerMethods & SessionMethods & SourcesMethods & ExportMethods;
export type ApiEvents = HostEvents & PlannerEvents & SessionEvents & ExportEvents;

export type MethodName = keyof ApiMethods & string;
export type EventName = keyof ApiEvents & string;
export type Params<M extends MethodName> = ApiMethods[M]['params'];
export type Result<M extends MethodName> = ApiMethods[M]['result'];

/** The client side of the contract, identical over Electron IPC and WebSocket. */
export interface ApiClient {
  call<M extends MethodName>(method: M, ...params: Params<M> extends void ? [] : [Params<M>]): Promise<Result<M>>;
  on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
  readonly transport: 'electron' | 'websocket';
}

// Runtime lists of channel names. The `satisfies` checks below fail to compile if a domain adds a
// method or event without listing it here, so transports can allow-list exactly the contract.
export const METHOD_NAMES = [
  'engine.info',
  'settings.get',
  'settings.set',
  'host.status',
  'presets.list',
  'presets.create',
  'presets.update',
  'presets.rename',
  'presets.duplicate',
  'presets.delete',
  'presets.restore',
  'presets.setDefault',
  'presets.defaults',
  'presets.markUsed',
  'presets.lastUsed',
  'presets.export',
  'presets.import',
  'planner.plan',
  'planner.calibration',
  'planner.calibrate',
  'planner.cancelCalibration',
  'planner.viewBudget',
  'planner.setViewBudget',
  'session.open',
  'session.info',
  'session.close',
  'session.setPipeline',
  'session.setPreset',
  'session.keepBadChannels',
  'session.columns',
  'session.status',
  'session.activity',
  'session.spectrum',
  'sources.recent',
  'sources.browse',
  'export.start',
  'export.cancel',
  'export.check',
  'export.history',
  'export.source'
] as const satisfies readonly MethodName[];
export const EVENT_NAMES = ['host.notice', 'planner.progress', 'session.status', 'export.progress'] as const satisfies readonly EventName[];

type Missing<All, Listed> = Exclude<All, Listed> extends never ? true : Exclude<All, Listed>;
export const allMethodsListed: Missing<MethodName, (typeof METHOD_NAMES)[number]> = true;
export const allEventsListed: Missing<EventName, (typeof EVENT_NAMES)[number]> = true;

/** Errors crossing the transport keep their code and message; the stack stays on the host. */
export interface WireError {
  name: string;
  code?: string;
  message: string;
}

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && (METHOD_NAMES as readonly string[]).includes(name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && (EVENT_NAMES as readonly string[]).includes(name);
}
