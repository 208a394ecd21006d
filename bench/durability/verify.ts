import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Published {
  acked: Set<string>;
  poison: Set<string>;
}

export function readPublished(dir: string): Published {
  const acked = new Set<string>();
  const poison = new Set<string>();
  for (const line of lines(join(dir, 'published.log'))) {
    const [id, , , isPoison] = line.split(' ');
    acked.add(id);
    if (isPoison === '1') poison.add(id);
  }
  return { acked, poison };
}

export interface HandledSummary {
  records: number;
  distinct: Set<string>;
  duplicates: number;
  /** First deliveries whose aggregate version is lower than one already handled for that aggregate. */
  orderViolations: number;
}

export function readHandled(dir: string): HandledSummary {
  const distinct = new Set<string>();
  const lastVersion = new Map<string, number>();
  let records = 0;
  let orderViolations = 0;
  for (const line of lines(join(dir, 'handled.log'))) {
    const [id, aggregate, versionText] = line.split(' ');
    records++;
    if (distinct.has(id)) continue;
    distinct.add(id);
    const version = Number(versionText);
    if (version < (lastVersion.get(aggregate) ?? 0)) orderViolations++;
    else lastVersion.set(aggregate, version);
  }
  return { records, distinct, duplicates: records - distinct.size, orderViolations };
}

export function countLines(dir: string, name: string): number {
  return lines(join(dir, name)).length;
}

function lines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.length > 0);
  } catch {
    return [];
  }
}
