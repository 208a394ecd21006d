import 'reflect-metadata';
import { Inject, Injectable } from '@nestjs/common';
import { MetadataScanner } from '@nestjs/core';
import type { EventClassRef } from '../../events/event-metadata.js';
import {
  ON_ANY_EVENT_METADATA,
  ON_EVENT_METADATA,
  PROJECTION_METADATA,
  type OnEventMetadata,
} from '../decorators/event-handler.metadata.js';

/** One thing to bind, as the decorators described it. `member` is the method name. */
export type HandlerDefinition =
  | {
      kind: 'events';
      className: string;
      member: string;
      classLevel: boolean;
      events: readonly EventClassRef[];
    }
  | { kind: 'any'; className: string; member: string; classLevel: boolean }
  | { kind: 'projection'; className: string };

/** The only place that reads the decorators' metadata. */
@Injectable()
export class EventHandlerMetadataAccessor {
  constructor(@Inject(MetadataScanner) private readonly scanner: MetadataScanner) {}

  /** Everything the decorators ask to bind on a class (class-level first, then methods). */
  definitionsOf(classRef: Function, prototype: object | null = classRef.prototype as object | null): HandlerDefinition[] {
    const className = classRef.name || 'AnonymousClass';
    const definitions: HandlerDefinition[] = [];
    if (this.isProjection(classRef)) definitions.push({ kind: 'projection', className });
    const classEvents = this.onEventRefs(classRef);
    if (classEvents)
      definitions.push({
        kind: 'events',
        className,
        member: 'handle',
        classLevel: true,
        events: classEvents,
      });
    if (this.isOnAnyEvent(classRef))
      definitions.push({
        kind: 'any',
        className,
        member: 'handle',
        classLevel: true,
      });
    if (!prototype) return definitions;
    for (const member of this.scanner.getAllMethodNames(prototype)) {
      const method = (prototype as Record<string, unknown>)[member];
      if (typeof method !== 'function') continue;
      const events = this.onEventRefs(method);
      if (events)
        definitions.push({
          kind: 'events',
          className,
          member,
          classLevel: false,
          events,
        });
      if (this.isOnAnyEvent(method)) definitions.push({ kind: 'any', className, member, classLevel: false });
    }
    return definitions;
  }

  isProjection(classRef: Function): boolean {
    return Reflect.getMetadata(PROJECTION_METADATA, classRef) === true;
  }

  private isOnAnyEvent(target: Function): boolean {
    return Reflect.getMetadata(ON_ANY_EVENT_METADATA, target) === true;
  }

  /** All classes/thunks of every @OnEvent stacked on the target, in source order. */
  private onEventRefs(target: Function): EventClassRef[] | undefined {
    const entries = Reflect.getMetadata(ON_EVENT_METADATA, target) as OnEventMetadata[] | undefined;
    if (!entries || entries.length === 0) return undefined;
    // Decorators apply bottom-up; reverse so refs read in source order.
    return [...entries].reverse().flatMap((entry) => entry.events);
  }
}
