import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { EventBus } from '../../bus/event-bus.js';
import type { EventHandlerFunction } from '../../bus/handler.js';
import type { DomainEvent } from '../../events/domain-event.js';
import { eventTypeOf, isEventClass, resolveEventClass, type EventClass, type EventClassRef } from '../../events/event-metadata.js';
import { InvalidEventHandlerError } from '../errors/invalid-event-handler.error.js';
import type { ResolvedEventSourcingOptions } from '../event-sourcing-options.interface.js';
import { EVENT_SOURCING_OPTIONS } from '../tokens.js';
import { EventHandlerMetadataAccessor, type HandlerDefinition } from './event-handler-metadata.accessor.js';

type InstanceWrapper = ReturnType<DiscoveryService['getProviders']>[number];

/**
 * Finds decorated providers and controllers and subscribes them to this app's bus: once per
 * provider instance (a module imported twice, or a provider also exposed through useExisting,
 * still delivers each event once), in onModuleInit, so before any consumer starts.
 */
@Injectable()
export class EventHandlersExplorer implements OnModuleInit {
  private bound = false;

  constructor(
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(EventHandlerMetadataAccessor)
    private readonly accessor: EventHandlerMetadataAccessor,
    @Inject(EventBus) private readonly bus: EventBus,
    @Inject(EVENT_SOURCING_OPTIONS)
    private readonly options: ResolvedEventSourcingOptions,
  ) {}

  onModuleInit(): void {
    if (this.bound) return;
    this.bound = true;
    const seen = new Set<object>();
    for (const wrapper of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) {
      if (wrapper.isAlias) continue;
      if (!this.isSingleton(wrapper)) {
        this.rejectScopedHandlers(wrapper);
        continue;
      }
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object' || seen.has(instance)) continue;
      seen.add(instance);
      const prototype = Object.getPrototypeOf(instance) as object | null;
      const classRef = (instance as { constructor?: unknown }).constructor;
      if (typeof classRef !== 'function' || classRef === Object) continue;
      for (const definition of this.accessor.definitionsOf(classRef, prototype)) this.bind(instance as Record<string, unknown>, definition);
    }
  }

  private isSingleton(wrapper: InstanceWrapper): boolean {
    return wrapper.isDependencyTreeStatic() && !wrapper.isTransient;
  }

  /** Request-scoped and transient handlers would be bound to no instance, or to a throwaway one. */
  private rejectScopedHandlers(wrapper: InstanceWrapper): void {
    const classRef = wrapper.isNotMetatype ? undefined : wrapper.metatype;
    if (typeof classRef !== 'function') return;
    const [first] = this.accessor.definitionsOf(classRef);
    if (!first) return;
    const scope = wrapper.isTransient ? 'transient' : 'request-scoped (or depends on a request-scoped provider)';
    throw new InvalidEventHandlerError(
      handlerName(first),
      `${first.className} is ${scope}. Request-scoped and transient event handlers are not supported in this version: ` +
        'make the handler a default-scope provider and resolve per-request collaborators inside it with ModuleRef.',
    );
  }

  private bind(instance: Record<string, unknown>, definition: HandlerDefinition): void {
    const name = handlerName(definition);
    if (definition.kind === 'projection') return this.bindProjection(instance, definition.className);
    if (definition.classLevel) requireMethod(instance, 'handle', name, definition.kind === 'any' ? '@OnAnyEvent()' : '@OnEvent()');
    const handler = namedHandler(name, (event) => (instance[definition.member] as (e: DomainEvent) => unknown).call(instance, event));
    if (definition.kind === 'any') {
      this.bus.subscribeToAllEvents(handler);
      this.logBinding(name, '*');
      return;
    }
    const classes = uniqueByType(
      definition.events.map((ref, index) => resolveRef(ref, name, `argument ${index + 1} of @OnEvent()`, '@OnEvent(() => OrderPlaced)')),
    );
    for (const eventClass of classes) this.bus.subscribe(eventClass, handler);
    this.logBinding(name, classes.map(eventTypeOf).join(', '));
  }

  private bindProjection(instance: Record<string, unknown>, className: string): void {
    const advice = 'A @Projection() needs subscribedTo() returning the event classes it handles, and handle(event).';
    requireMethod(instance, 'subscribedTo', className, '@Projection()', advice);
    requireMethod(instance, 'handle', className, '@Projection()', advice);
    const where = `${className}.subscribedTo`;
    const refs: unknown = (instance.subscribedTo as () => unknown).call(instance);
    if (!Array.isArray(refs))
      throw new InvalidEventHandlerError(where, `it returned ${String(refs)}, not an array of event classes. ${advice}`);
    const classes = uniqueByType(
      refs.map((ref, index) =>
        resolveRef(ref as EventClassRef, where, `element ${index} of the returned array`, 'return [() => OrderPlaced]'),
      ),
    );
    this.bus.subscribeAll(instance as never);
    this.logBinding(
      `${className}.handle`,
      classes.length > 0 ? classes.map(eventTypeOf).join(', ') : '(nothing: subscribedTo() returned [])',
    );
  }

  private logBinding(name: string, target: string): void {
    this.options.logger.log?.(`${name} -> ${target}`);
  }
}

function handlerName(definition: HandlerDefinition): string {
  return definition.kind === 'projection' ? definition.className : `${definition.className}.${definition.member}`;
}

/** The bus logs and dead-letters by handler name, so the function carries `Class.method`. */
function namedHandler(name: string, invoke: (event: DomainEvent) => unknown): EventHandlerFunction {
  const handler = (event: DomainEvent) => invoke(event) as void | Promise<void>;
  Object.defineProperty(handler, 'name', { value: name });
  return handler;
}

function requireMethod(instance: Record<string, unknown>, method: string, where: string, decorator: string, advice = ''): void {
  if (typeof instance[method] === 'function') return;
  const className = (instance.constructor as { name?: string }).name ?? 'the class';
  throw new InvalidEventHandlerError(
    where,
    `${className} is decorated with ${decorator} but has no ${method}() method.${advice ? ` ${advice}` : ''}`,
  );
}

function resolveRef(ref: EventClassRef, where: string, position: string, example: string): EventClass {
  let resolved: unknown;
  try {
    resolved = resolveEventClass(ref);
  } catch (error) {
    throw new InvalidEventHandlerError(
      where,
      `the thunk given as ${position} threw: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (resolved === undefined || resolved === null) {
    throw new InvalidEventHandlerError(
      where,
      `${position} is ${String(resolved)}. The event class was probably not initialised yet because of a circular import: ` +
        `use a thunk () => X for circular imports, e.g. ${example}.`,
    );
  }
  if (!isEventClass(resolved)) {
    const shown = typeof resolved === 'function' ? resolved.name || 'an anonymous function' : JSON.stringify(resolved);
    throw new InvalidEventHandlerError(where, `${position} (${shown}) is not an event class decorated with @RegisterEvent().`);
  }
  return resolved;
}

function uniqueByType(classes: EventClass[]): EventClass[] {
  const byType = new Map<string, EventClass>();
  for (const eventClass of classes) if (!byType.has(eventTypeOf(eventClass))) byType.set(eventTypeOf(eventClass), eventClass);
  return [...byType.values()];
}
