import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DOCS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs');

/**
 * Replaces the text between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->` in a docs
 * page, so the figures on the page are always the ones of the last run (never typed by hand).
 * Returns the file written.
 */
export function writeGeneratedSection(page: string, name: string, content: string): string {
  const file = join(DOCS_DIR, page);
  const text = readFileSync(file, 'utf8');
  const open = `<!-- generated:${name} -->`;
  const close = `<!-- /generated:${name} -->`;
  const start = text.indexOf(open);
  const end = text.indexOf(close);
  if (start < 0 || end < start) {
    throw new Error(`${file} has no '${open}' … '${close}' section to write the ${name} figures into`);
  }
  writeFileSync(file, `${text.slice(0, start + open.length)}\n\n${content.trim()}\n\n${text.slice(end)}`);
  return file;
}
