import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const repoRoot = new URL('../../', import.meta.url);

describe('tutorial 7 (sample/tutorial)', () => {
  it('prints the expected output of the eventsource-py tutorial byte for byte', async () => {
    // CI clones the repository with shared/ beside it.
    const expected = readFileSync(new URL('../shared/fixtures/tutorial-07-expected-output.txt', repoRoot), 'utf8');
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const { stdout, stderr } = await promisify(execFile)(npm, ['run', '-s', 'tutorial'], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(stderr).toBe('');
    expect(stdout).toBe(expected);
  }, 60_000);
});
