import 'reflect-metadata';
import { decoratedTarget, ON_ANY_EVENT_METADATA } from './event-handler.metadata.js';

/**
 * Subscribes a method (or, on a class, its `handle(event)` method) to every event: a wildcard
 * handler. On broker buses it also receives events of types this process does not know, as
 * `UnknownEvent`.
 */
export function OnAnyEvent(): ClassDecorator & MethodDecorator {
  return (target: object, _propertyKey?: string | symbol, descriptor?: PropertyDescriptor) => {
    Reflect.defineMetadata(ON_ANY_EVENT_METADATA, true, decoratedTarget(target, descriptor));
  };
}
