// Domain events: capabilities announce what happened; the realtime layer (and workers) fan them out.
// Routes and services never talk to sockets directly. Each capability declares its own events in its schema.ts
// (`declare module '../events.js' { interface DomainEvents { … } }`), so this file imports no capability.
import { EventEmitter } from 'node:events';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by the capabilities' schemas
export interface DomainEvents {}

export class EventBus extends EventEmitter<DomainEvents> {}
