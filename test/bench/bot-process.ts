// What the benches that start the bot as a deployment would (memory.ts, alloc.ts, slack.ts) share: the Procfile's
// commands, the settings a bot process gets, and plain HTTP on a connection per request.
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import path from 'node:path';
import type { SlackApiStandIn } from '../helpers/slack-api/server.ts';

/** The Procfile's commands of a checkout. */
export function procfile(root: string): { web: string; release?: string } {
  const lines = readFileSync(path.join(root, 'Procfile'), 'utf8').split('\n');
  const get = (name: string) =>
    lines
      .find((l) => l.startsWith(`${name}:`))
      ?.slice(name.length + 1)
      .trim();
  const web = get('web');
  if (!web) throw new Error(`no web: line in ${root}/Procfile`);
  return { web, release: get('release') };
}

/** A bot process's settings as in production, talking to the Slack stand-in. */
export function botEnv(slack: SlackApiStandIn, port: number, signingSecret: string): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: slack.token,
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_API_URL: slack.url,
    PORT: String(port),
    NODE_ENV: 'production',
    LOG_LEVEL: 'error',
  };
}

// A connection per request: an idle keep-alive socket the server closes just as it is reused would fail a request.
const agent = new Agent({ keepAlive: false, maxSockets: 256 });

/** The status of a GET, 0 when nothing answers. */
export function httpGet(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

/** The status of a POST (on `via`: a keep-alive agent, say); a connection error rejects. */
export function post(url: string, body: string, headers: Record<string, string>, via: Agent = agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers, agent: via }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}
