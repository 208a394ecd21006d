import { suiteMarkdown } from './harness/markdown.js';
import { readAllResults } from './harness/results.js';

/** Prints the markdown tables of every result file in bench/results (used for docs/benchmarks.md). */
for (const result of readAllResults()) console.log(`${suiteMarkdown(result)}\n`);
