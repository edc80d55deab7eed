import type { MethodName, Params, Result } from '../contract.ts';

export type Handler<M extends MethodName> = (params: Params<M>) => Promise<Result<M>> | Result<M>;
export type Handlers = { [M in MethodName]: Handler<M> };
export type HandlersOf<M extends MethodName> = { [K in M]: Handler<K> };
