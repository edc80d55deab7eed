// A typed event bus: the host emits, transports forward to the renderers that subscribed.
import { EventEmitter } from 'node:events';
import type { ApiEvents, EventName } from './contract.ts';

export class HostEvents {
  #emitter = new EventEmitter();

  constructor() {
    this.#emitter.setMaxListeners(0);
  }

  emit<E extends EventName>(event: E, payload: ApiEvents[E]): void {
    this.#emitter.emit(event, payload);
  }

  on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void {
    this.#emitter.on(event, listener);
    return () => this.#emitter.off(event, listener);
  }
}
