// The real entry point (`node --import tsx src/main.ts`) in a process of its own, for what only a real process shows:
// exit codes, signals, what kills it and what does not.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SIGNING_SECRET } from './bot.ts';
import type { TestDb } from './db.ts';
import { freePort } from './ports.ts';
import type { SlackApiStandIn } from './slack-api/server.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface MainProcess {
  child: ChildProcess;
  /** http://127.0.0.1:<port> */
  base: string;
  /** The events endpoint. */
  url: string;
  stderr: string[];
  exited: Promise<{ code: number | null; at: number }>;
}

/** The environment a child process of the project runs with: only what is given, so a developer's .env fills nothing. */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    SCHEDULER: 'off',
    DATABASE_URL: '',
    PGLITE_DIR: '',
    SLACK_APP_TOKEN: '',
    OPENAI_API_KEY: '',
    ...env,
  };
}

/** Starts src/main.ts in HTTP mode against the Slack stand-in; resolves once it listens. */
export async function startMain(slack: SlackApiStandIn, dbEnv: Record<string, string>): Promise<MainProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: childEnv({
      PORT: String(port),
      SLACK_BOT_TOKEN: slack.token,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.url,
      ...dbEnv,
    }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stderr: string[] = [];
  const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
    child.once('exit', (code) => resolve({ code, at: Date.now() })),
  );
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) {
        stderr.push(l);
        if (l.includes('listening on port')) resolve();
      }
    });
    void exited.then(({ code }) => reject(new Error(`main exited with ${code}: ${stderr.join('\n')}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  return { child, base, url: `${base}/slack/events`, stderr, exited };
}

/** The database settings for a child: on PGlite this process lets go of the data directory first (one owner). */
export async function handOver(tdb: TestDb): Promise<Record<string, string>> {
  if (tdb.url) return { DATABASE_URL: tdb.url };
  await tdb.db.close();
  return { PGLITE_DIR: tdb.dir as string };
}
