// The event bus behind /events: container, image, network, volume actions.
import { EventEmitter } from 'node:events';
import { nowNs } from '../util/time.js';

const EVENTS_LIMIT = 256;

export interface EngineEvent {
  Type: 'container' | 'image' | 'network' | 'volume' | 'daemon';
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local';
  time: number;
  timeNano: number;
  status?: string;
  id?: string;
  from?: string;
}

export class Events {
  private readonly em = new EventEmitter();
  private readonly recent: EngineEvent[] = [];
  constructor() {
    this.em.setMaxListeners(0);
  }
  emit(type: EngineEvent['Type'], action: string, id: string, attributes: Record<string, string> = {}): void {
    const ns = nowNs();
    const ev: EngineEvent = {
      Type: type,
      Action: action,
      Actor: { ID: id, Attributes: attributes },
      scope: 'local',
      time: Number(ns / 1_000_000_000n),
      timeNano: Number(ns),
    };
    if (type === 'container' || type === 'image') {
      ev.status = action;
      if (id) ev.id = id; // omitempty in moby's Message (a prune event has no actor)
      if (attributes.image) ev.from = attributes.image;
    }
    this.recent.push(ev);
    // moby's eventsLimit: the last 256 are kept for --since replays
    if (this.recent.length > EVENTS_LIMIT) this.recent.shift();
    this.em.emit('event', ev);
  }
  since(ns: bigint): EngineEvent[] {
    return this.recent.filter((e) => BigInt(e.timeNano) >= ns);
  }
  subscribe(cb: (e: EngineEvent) => void): () => void {
    this.em.on('event', cb);
    return () => this.em.off('event', cb);
  }
}
