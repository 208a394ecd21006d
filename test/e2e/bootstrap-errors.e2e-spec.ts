import { Inject, Injectable, Scope } from '@nestjs/common';
import { REQUEST } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { describe, expect, it } from 'vitest';
import {
  DomainEvent,
  EventSourcingModule,
  InvalidEventHandlerError,
  OnEvent,
  OnAnyEvent,
  Projection,
  RegisterEvent,
} from '../../lib/index.js';

@RegisterEvent('BootstrapErrorsSpec.Pinged')
class Pinged extends DomainEvent<Pinged> {
  static readonly aggregateType = 'Ping';
}

class NotAnEvent {}

/** Boots a module with the given providers and returns what init() threw. */
async function bootstrapError(...providers: Function[]): Promise<unknown> {
  const moduleRef = await Test.createTestingModule({
    imports: [EventSourcingModule.forRoot({})],
    providers: providers as never[],
  }).compile();
  try {
    await moduleRef.init();
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await moduleRef.close();
  }
}

describe('EventSourcingModule bootstrap failures', () => {
  it('an event class that is undefined (circular import) names class and method and suggests a thunk', async () => {
    @Injectable()
    class CircularHandler {
      @OnEvent(undefined as never)
      pinged() {}
    }
    const error = await bootstrapError(CircularHandler);
    expect(error).toBeInstanceOf(InvalidEventHandlerError);
    expect((error as Error).message).toContain('CircularHandler.pinged');
    expect((error as Error).message).toContain('use a thunk () => X for circular imports');
  });

  it('a thunk that resolves to undefined', async () => {
    @Injectable()
    class LateHandler {
      @OnEvent(Pinged, () => undefined as never)
      pinged() {}
    }
    const error = await bootstrapError(LateHandler);
    expect((error as Error).message).toMatch(/LateHandler\.pinged: argument 2 of @OnEvent\(\) is undefined/);
  });

  it('a class that is not a registered event', async () => {
    @Injectable()
    class WrongClassHandler {
      @OnEvent(NotAnEvent as never)
      pinged() {}
    }
    const error = await bootstrapError(WrongClassHandler);
    expect((error as Error).message).toContain('WrongClassHandler.pinged');
    expect((error as Error).message).toContain('NotAnEvent) is not an event class decorated with @RegisterEvent()');
  });

  it('a @Projection without subscribedTo()', async () => {
    @Projection()
    class NoSubscribedTo {
      handle() {}
    }
    const error = await bootstrapError(NoSubscribedTo);
    expect(error).toBeInstanceOf(InvalidEventHandlerError);
    expect((error as Error).message).toContain('NoSubscribedTo is decorated with @Projection() but has no subscribedTo() method');
  });

  it('a @Projection without handle()', async () => {
    @Projection()
    class NoHandle {
      subscribedTo() {
        return [Pinged];
      }
    }
    const error = await bootstrapError(NoHandle);
    expect((error as Error).message).toContain('NoHandle is decorated with @Projection() but has no handle() method');
  });

  it('a @Projection whose subscribedTo() returns an undefined entry', async () => {
    @Projection()
    class HalfInitialised {
      subscribedTo() {
        return [Pinged, undefined];
      }
      handle() {}
    }
    const error = await bootstrapError(HalfInitialised);
    expect((error as Error).message).toContain('HalfInitialised.subscribedTo: element 1 of the returned array is undefined');
  });

  it('a class-level @OnEvent or @OnAnyEvent without handle()', async () => {
    @OnEvent(Pinged)
    class NoHandleMethod {}
    expect((await bootstrapError(NoHandleMethod)) as Error).toMatchObject({
      message: expect.stringContaining('NoHandleMethod.handle: NoHandleMethod is decorated with @OnEvent() but has no handle() method'),
    });
    @OnAnyEvent()
    class NoHandleWildcard {}
    expect((await bootstrapError(NoHandleWildcard)) as Error).toMatchObject({
      message: expect.stringContaining('NoHandleWildcard is decorated with @OnAnyEvent() but has no handle() method'),
    });
  });

  it('a request-scoped handler', async () => {
    @Injectable({ scope: Scope.REQUEST })
    class RequestScopedHandler {
      @OnEvent(Pinged)
      pinged() {}
    }
    const error = await bootstrapError(RequestScopedHandler);
    expect(error).toBeInstanceOf(InvalidEventHandlerError);
    expect((error as Error).message).toContain('RequestScopedHandler.pinged');
    expect((error as Error).message).toContain('not supported in this version');
  });

  it('a handler that is request-scoped because it injects REQUEST', async () => {
    @Injectable()
    class NeedsRequest {
      constructor(@Inject(REQUEST) readonly req: unknown) {}
      @OnAnyEvent()
      seen() {}
    }
    const error = await bootstrapError(NeedsRequest);
    expect((error as Error).message).toContain('NeedsRequest.seen');
    expect((error as Error).message).toContain('request-scoped');
  });

  it('a transient handler', async () => {
    @Injectable({ scope: Scope.TRANSIENT })
    class TransientHandler {
      @OnEvent(Pinged)
      pinged() {}
    }
    const error = await bootstrapError(TransientHandler);
    expect((error as Error).message).toContain('TransientHandler.pinged');
    expect((error as Error).message).toContain('transient');
  });

  it('request-scoped providers without handlers are left alone', async () => {
    @Injectable({ scope: Scope.REQUEST })
    class PlainRequestScoped {}
    expect(await bootstrapError(PlainRequestScoped)).toBeUndefined();
  });

  it('@OnEvent() without an event class fails where it is written', () => {
    expect(() => {
      class Empty {
        @OnEvent()
        nothing() {}
      }
      return Empty;
    }).toThrow('@OnEvent() on Empty.nothing needs at least one event class');
  });
});
