// `npm run bench`: each section measures ProbeDeck side by side with scipy/numpy in the same run and
// prints a table of ratios. Sections live in their own files.
import { benchEngine } from './engine.ts';
import { benchExport } from './export.ts';
import { benchPlanner } from './planner.ts';

const SECTIONS: [string, () => Promise<string>][] = [
  ['engine', benchEngine],
  ['planner', benchPlanner],
  ['export', benchExport]
];

const only = process.argv[2];
for (const [name, run] of SECTIONS) {
  if (only && only !== name) continue;
  console.log(await run());
  console.log();
}
