import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { IsString } from 'class-validator';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AggregateRepository,
  AggregateRoot,
  DomainEvent,
  EVENT_STORE,
  EventSourcingModule,
  OnEvent,
  PostgresEventStore,
  RegisterEvent,
  getRepositoryToken,
} from '../../lib/index.js';
import { DATABASE_URL, dropSchema, postgresAvailable, uniqueSchema } from '../integration/postgres/postgres-test-db.js';
import { waitFor } from '../support/wait-for.js';

@RegisterEvent('NestPostgresSpec.NoteWritten')
class NoteWritten extends DomainEvent<NoteWritten> {
  static readonly aggregateType = 'Note';
  @IsString() readonly text!: string;
}

class NoteAggregate extends AggregateRoot<{ texts: string[] }> {
  static readonly aggregateType = 'Note';
  protected getInitialState() {
    return { texts: [] as string[] };
  }
  protected evolve(event: DomainEvent): void {
    if (event instanceof NoteWritten) this.state = { texts: [...this.state.texts, event.text] };
  }
  write(text: string): void {
    this.applyEvent(new NoteWritten({ aggregateId: this.aggregateId, text, aggregateVersion: this.getNextVersion() }));
  }
}

@Injectable()
class NoteReader {
  readonly texts: string[] = [];
  @OnEvent(NoteWritten)
  written(event: NoteWritten) {
    this.texts.push(event.text);
  }
}

const available = await postgresAvailable();
const schema = uniqueSchema();

describe.skipIf(!available)('EventSourcingModule with eventStore { type: postgres, outbox: true }', () => {
  afterAll(() => dropSchema(schema));

  it('initialises the store, publishes through the outbox relay, and closes everything with the app', async () => {
    const socketsBefore = openSockets();
    const boot = async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [
          EventSourcingModule.forRoot({ eventStore: { type: 'postgres', connectionString: DATABASE_URL, schema, outbox: true } }),
          EventSourcingModule.forFeature([NoteAggregate]),
        ],
        providers: [NoteReader],
      }).compile();
      return moduleRef.createNestApplication().init();
    };
    const app = await boot();
    const id = randomUUID();
    try {
      expect(app.get(EVENT_STORE)).toBeInstanceOf(PostgresEventStore);
      const notes = app.get<AggregateRepository<NoteAggregate>>(getRepositoryToken(NoteAggregate));
      const note = notes.createNew(id);
      note.write('first');
      note.write('second');
      await notes.save(note); // commits events + outbox rows; the relay publishes them
      await waitFor(() => app.get(NoteReader).texts.length === 2, 10_000);
      expect(app.get(NoteReader).texts).toEqual(['first', 'second']);
    } finally {
      await app.close();
    }
    await waitFor(() => openSockets() <= socketsBefore, 10_000);

    // A second app on the same schema reads what the first one stored.
    const again = await boot();
    try {
      const loaded = await again.get<AggregateRepository<NoteAggregate>>(getRepositoryToken(NoteAggregate)).load(id);
      expect(loaded.state.texts).toEqual(['first', 'second']);
      // The relay marked the rows sent once the bus had them, so this app has nothing to republish.
      expect(await pendingOutboxRows()).toBe(0);
    } finally {
      await again.close();
    }
  });
});

async function pendingOutboxRows(): Promise<number> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    const result = await client.query<{ count: string }>(`SELECT count(*) FROM "${schema}".events_outbox WHERE sent_at IS NULL`);
    return Number(result.rows[0].count);
  } finally {
    await client.end();
  }
}

function openSockets(): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === 'TCPSocketWrap').length;
}
