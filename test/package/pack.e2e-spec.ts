/**
 * Builds and packs the library, installs the tarball into a scratch project, and runs plain
 * Node scripts against it: ESM import, CommonJS require, and both in one process (one registry).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const TIMEOUT_MS = 300_000;

// Plain JavaScript, no decorator syntax: the decorator is applied by hand. The field declaration
// uses native class fields, i.e. define semantics.
const EVENT_AND_BUS_CHECK = `
const OrderPlaced = RegisterEvent('pack.OrderPlaced')(
  class OrderPlaced extends DomainEvent {
    static aggregateType = 'Order';
    customerName;
  },
);
const bus = new InMemoryEventBus();
const seen = [];
bus.subscribe(OrderPlaced, (event) => { seen.push(event.customerName); });
const event = new OrderPlaced({ aggregateId: '3caef32a-fc7a-595f-b0ca-0639f5b6ec93', customerName: 'Alice' });
await bus.publish([event]);
const result = {
  seen,
  frozen: Object.isFrozen(event),
  eventType: event.eventType,
  registered: getEventRegistry().has('pack.OrderPlaced'),
};
`;

const ESM_SCRIPT = `
import { DomainEvent, RegisterEvent, InMemoryEventBus, getEventRegistry } from 'nestjs-eventsource';
${EVENT_AND_BUS_CHECK}
process.stdout.write(JSON.stringify(result));
`;

const CJS_SCRIPT = `
const { DomainEvent, RegisterEvent, InMemoryEventBus, getEventRegistry } = require('nestjs-eventsource');
(async () => {
${EVENT_AND_BUS_CHECK}
  process.stdout.write(JSON.stringify(result));
})().catch((error) => { console.error(error); process.exit(1); });
`;

const DUAL_SCRIPT = `
import { createRequire } from 'node:module';
import * as esm from 'nestjs-eventsource';
const cjs = createRequire(import.meta.url)('nestjs-eventsource');

const FromCjs = cjs.RegisterEvent('pack.FromCjs')(
  class FromCjs extends cjs.DomainEvent {
    static aggregateType = 'Order';
    note;
  },
);
const FromEsm = esm.RegisterEvent('pack.FromEsm')(class FromEsm extends esm.DomainEvent { static aggregateType = 'Order'; });

const bus = new esm.InMemoryEventBus();
const notes = [];
bus.subscribe(FromCjs, (event) => { notes.push(event.note); });
await bus.publish([new FromCjs({ aggregateId: '3caef32a-fc7a-595f-b0ca-0639f5b6ec93', note: 'handled across builds' })]);

process.stdout.write(JSON.stringify({
  twoBuildsLoaded: esm.DomainEvent !== cjs.DomainEvent && esm.InMemoryEventBus !== cjs.InMemoryEventBus,
  sameRegistry: esm.getEventRegistry() === cjs.getEventRegistry(),
  cjsRegisteredSeenByEsm: esm.getEventRegistry().has('pack.FromCjs'),
  esmRegisteredSeenByCjs: cjs.getEventRegistry().has('pack.FromEsm'),
  notes,
}));
`;

// Both resolutions of the package's typings, as a TypeScript consumer in node16 mode sees them.
const TYPES_ESM = `
import { DomainEvent, InMemoryEventBus, RegisterEvent, type EventBusStats } from 'nestjs-eventsource';
const stats: EventBusStats = new InMemoryEventBus().getStats();
export const published: number = stats.eventsPublished;
export const decorate: ClassDecorator = RegisterEvent('types.esm');
export type Event = DomainEvent;
`;

const TYPES_CJS = `
import lib = require('nestjs-eventsource');
const stats: lib.EventBusStats = new lib.InMemoryEventBus().getStats();
export const published: number = stats.eventsPublished;
export type Event = lib.DomainEvent;
`;

describe('npm package', { timeout: TIMEOUT_MS }, () => {
  let scratch: string;
  let project: string;
  const node = async (script: string) =>
    JSON.parse((await run(process.execPath, [script], { cwd: project })).stdout) as Record<string, unknown>;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'nestjs-eventsource-pack-'));
    project = join(scratch, 'consumer');
    await run(npm, ['run', 'build'], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 });
    const { stdout } = await run(npm, ['pack', '--json', '--pack-destination', scratch], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 });
    const [{ filename }] = JSON.parse(stdout) as Array<{ filename: string }>;
    const tarball = join(scratch, filename);
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'pack-consumer', private: true, version: '1.0.0' }));
    await run(
      npm,
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        tarball,
        'class-validator',
        'class-transformer',
        'reflect-metadata',
        'rxjs',
      ],
      { cwd: project, maxBuffer: 64 * 1024 * 1024 },
    );
    writeFileSync(join(project, 'esm.mjs'), ESM_SCRIPT);
    writeFileSync(join(project, 'cjs.cjs'), CJS_SCRIPT);
    writeFileSync(join(project, 'dual.mjs'), DUAL_SCRIPT);
    writeFileSync(join(project, 'types-esm.mts'), TYPES_ESM);
    writeFileSync(join(project, 'types-cjs.cts'), TYPES_CJS);
  }, TIMEOUT_MS);

  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('ships typings for both builds', () => {
    const installed = join(project, 'node_modules', 'nestjs-eventsource');
    for (const file of ['dist/esm/index.js', 'dist/esm/index.d.ts', 'dist/cjs/index.js', 'dist/cjs/index.d.ts']) {
      expect(existsSync(join(installed, file)), file).toBe(true);
    }
  });

  it('type-checks for a TypeScript consumer through import and through require', async () => {
    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const args = ['--noEmit', '--strict', '--module', 'node16', '--moduleResolution', 'node16', '--target', 'es2022', '--skipLibCheck'];
    const result = await run(process.execPath, [tsc, ...args, 'types-esm.mts', 'types-cjs.cts'], { cwd: project }).catch(
      (error: Error & { stdout?: string }) => ({ stdout: `tsc failed:\n${error.stdout ?? error.message}` }),
    );
    expect(result.stdout).toBe('');
  });

  it('works from a plain Node ESM script', async () => {
    expect(await node('esm.mjs')).toEqual({ seen: ['Alice'], frozen: true, eventType: 'pack.OrderPlaced', registered: true });
  });

  it('works from a plain CommonJS script', async () => {
    expect(await node('cjs.cjs')).toEqual({ seen: ['Alice'], frozen: true, eventType: 'pack.OrderPlaced', registered: true });
  });

  it('shares one registry and one event model when both builds load in one process', async () => {
    expect(await node('dual.mjs')).toEqual({
      twoBuildsLoaded: true,
      sameRegistry: true,
      cjsRegisteredSeenByEsm: true,
      esmRegisteredSeenByCjs: true,
      notes: ['handled across builds'],
    });
  });
});
