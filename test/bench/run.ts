// `npm run bench`: matching latency on both engines, embedded cold start, Slack ack and answer latency beside a bare
// Bolt app, sustained load (300 signed requests/s for 30 s), and memory (peak RSS of the process tree as the Procfile
// starts it, beside a bare Bolt app; what each component costs).
// One part: `npm run bench -- match|slack|sustained|memory|cold|owners`. Figures are medians and p99 over many runs.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { benchComponents } from './components.ts';
import { benchColdStart, benchEnglishTable, benchMatch } from './match.ts';
import { benchMemory } from './memory.ts';
import { benchOwners } from './owners.ts';
import { formatRows, type Row } from './stats.ts';
import { benchSustained } from './sustained.ts';

const adminUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const want = (name: string) => only.length === 0 || only.includes(name);

type SlackBench = (engine: 'pglite' | 'postgres') => Promise<Row[]>;
const slackModule = path.join(here, 'slack.ts');
const slack: SlackBench | undefined = existsSync(slackModule)
  ? ((await import(pathToFileURL(slackModule).href)) as { benchSlack: SlackBench }).benchSlack
  : undefined;

for (const engine of ['pglite', 'postgres'] as const) {
  if (want('match')) console.log(formatRows(`matching on ${engine}`, await benchMatch(engine, adminUrl)));
  if (want('slack') && slack) console.log(formatRows(`Slack on ${engine}`, await slack(engine)));
  if (want('memory'))
    console.log(formatRows(`memory on ${engine}, as the Procfile starts it`, await benchMemory(engine)));
  if (want('owners')) console.log(formatRows(`owners of duties on ${engine}`, await benchOwners(engine)));
  if (want('sustained')) {
    console.log(formatRows(`sustained load (300/s for 30 s) on ${engine}`, await benchSustained(engine)));
  }
}
if (want('match')) console.log(formatRows('new matching resources', benchEnglishTable()));
if (want('cold')) console.log(formatRows('embedded start', benchColdStart()));
if (want('memory')) console.log(formatRows('memory by component (RSS after GC, median of 3)', benchComponents()));
console.log(
  formatRows('this process', [
    { name: 'peak RSS (bench process)', value: process.resourceUsage().maxRSS / 1024, unit: 'MiB' },
  ]),
);
