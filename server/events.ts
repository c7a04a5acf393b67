// Domain events: capabilities announce what happened; the realtime layer (and workers) fan them out.
// Routes and services never talk to sockets directly. Each capability declares its own events in its schema.ts
// (`declare module '../events.js' { interface DomainEvents { … } }`), so this file imports no capability.
import { EventEmitter } from 'node:events';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by the capabilities' schemas
export interface DomainEvents {}

export class EventBus extends EventEmitter<DomainEvents> {
  /**
   * While a listener runs for an event that happened on another node (cluster/relay.ts), that node's id; otherwise
   * null. Listeners that act only on their own node's events (realtime: the origin already reached every socket
   * through the adapter) check it. Emitting is synchronous, so the flag covers exactly the listeners of that event.
   */
  peer: string | null = null;

  emitFromPeer<K extends keyof DomainEvents>(peer: string, event: K, ...args: DomainEvents[K] extends unknown[] ? DomainEvents[K] : never): void {
    const before = this.peer;
    this.peer = peer;
    try { (this.emit as (e: K, ...a: unknown[]) => boolean)(event, ...args); } finally { this.peer = before; }
  }
}
