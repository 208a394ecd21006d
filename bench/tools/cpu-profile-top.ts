import { readFileSync } from 'node:fs';

/** Prints the functions with the most self time in a .cpuprofile (node --cpu-prof), as file:function. */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

const [file, limitArg = '25'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
const selfTime = new Map<number, number>();
profile.samples.forEach((id, i) => selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const byFunction = new Map<string, number>();
let total = 0;
for (const node of profile.nodes) {
  const micros = selfTime.get(node.id) ?? 0;
  total += micros;
  const url = node.callFrame.url.replace(/^file:\/\//, '').replace(/^.*\/work\/main\//, '');
  const key = `${url || '(native)'}:${node.callFrame.functionName || '(anonymous)'}:${node.callFrame.lineNumber + 1}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
}
const rows = [...byFunction.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(limitArg));
for (const [key, micros] of rows)
  console.log(`${((micros / total) * 100).toFixed(1).padStart(5)}%  ${(micros / 1000).toFixed(0).padStart(6)} ms  ${key}`);

// Share of self time per top-level area, so library cost and client cost are easy to compare.
const areas = new Map<string, number>();
for (const [key, micros] of byFunction) {
  const area = key.startsWith('lib/')
    ? key.split('/').slice(0, 3).join('/').split(':')[0]
    : key.includes('node_modules/')
      ? `node_modules/${key.split('node_modules/')[1].split('/')[0]}`
      : key.startsWith('(') || key.startsWith('node:')
        ? key.split(':')[0]
        : 'other';
  areas.set(area, (areas.get(area) ?? 0) + micros);
}
console.log('\nself time by area:');
for (const [area, micros] of [...areas.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15))
  console.log(`${((micros / total) * 100).toFixed(1).padStart(5)}%  ${area}`);
