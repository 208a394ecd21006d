import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../nest11/run.sh', import.meta.url));

function run(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('Nest 11 CommonJS app (nest new layout, Jest + ts-jest) using the packed library', () => {
  it('builds, packs, installs and passes its own Jest suite', async () => {
    const { code, output } = await run('bash', [script]);
    if (code !== 0) console.error(output);
    expect(code).toBe(0);
    expect(output).toMatch(/@nestjs\/core 11\./);
    expect(output).toMatch(/Tests:\s+4 passed, 4 total/);
  }, 600_000);
});
