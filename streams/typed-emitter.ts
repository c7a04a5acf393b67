// A Node EventEmitter with the event names and payload types spelled out, so listeners are checked.
import { EventEmitter } from 'node:events';

export interface TypedEmitter<Events extends object> {
  on<K extends keyof Events & string>(event: K, listener: (payload: Events[K]) => void): this;
  once<K extends keyof Events & string>(event: K, listener: (payload: Events[K]) => void): this;
  off<K extends keyof Events & string>(event: K, listener: (payload: Events[K]) => void): this;
  emit<K extends keyof Events & string>(event: K, payload: Events[K]): boolean;
  removeAllListeners(event?: keyof Events & string): this;
  listenerCount(event: keyof Events & string): number;
}

export function createEmitter<Events extends object>(): TypedEmitter<Events> {
  const emitter = new EventEmitter();
  // Many camera bridges and status listeners attach to one emitter; that is not a leak.
  emitter.setMaxListeners(0);
  return emitter as unknown as TypedEmitter<Events>;
}

/** The log calls the video layer makes (pino's shape: merge object first, message second). */
export interface StreamsLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLog: StreamsLog = { info() {}, warn() {}, error() {} };
