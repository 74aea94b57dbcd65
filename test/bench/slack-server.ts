// A bench target in its own process, so the load generator's event loop does not share its clock:
//   ours → the real bot, composed as src/main.ts composes it (src/runtime.ts + src/compose.ts)
//   bare → a Bolt app with the same receiver that acks /mle-duties with a constant and does nothing else
// Prints one JSON line {"port": N} on stdout when listening (ours in Socket Mode, when SLACK_APP_TOKEN is set: once
// its socket is connected; N is then the port of its ops routes); on SIGUSR2 a line {"mainCpuMs": N, "gc": …}, the CPU
// time its main thread (the one that acks) has used so far and its garbage collections (count and total pause so far,
// longest pause since the last SIGUSR2); stops on SIGTERM.
import { readFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { createBot } from '../../src/compose.ts';
import { loadConfig, requireSlack } from '../../src/config.ts';
import { silentLogger } from '../../src/log.ts';
import { openRuntime } from '../../src/runtime.ts';
import { EVENTS_PATH } from '../../src/slack/http.ts';

const kind = process.argv[2];
const config = loadConfig(process.env);
const slack = requireSlack(config);
let stop: () => Promise<void>;
let port: number;

if (kind === 'bare') {
  const receiver = new HTTPReceiver({
    signingSecret: slack.signingSecret as string,
    endpoints: EVENTS_PATH,
    logLevel: LogLevel.ERROR,
  });
  const app = new App({
    token: slack.botToken,
    botId: 'B0BARE',
    botUserId: 'U0BARE',
    tokenVerificationEnabled: false,
    receiver,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: slack.apiUrl },
  });
  app.command('/mle-duties', async ({ ack }) => {
    await ack();
  });
  const server = (await app.start(0)) as import('node:http').Server;
  port = (server.address() as import('node:net').AddressInfo).port;
  stop = () => app.stop().then(() => undefined);
} else {
  const runtime = await openRuntime(config, { pgliteThread: 'worker' });
  const bot = await createBot(runtime, { logger: silentLogger });
  port = (await bot.start(0)).port;
  stop = async () => {
    await bot.stop();
    await runtime.close();
  };
}

/**
 * CPU time of this process's main thread (Linux: utime + stime of its task, in clock ticks of 10 ms); elsewhere the
 * whole process's, which also counts the embedded database's worker thread.
 */
function mainThreadCpuMs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  }
}

// Garbage collection pauses of the main thread: each one stops every request in flight, so they land in the p99.
const gc = { count: 0, ms: 0, maxMs: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gc.count += 1;
    gc.ms += entry.duration;
    gc.maxMs = Math.max(gc.maxMs, entry.duration);
  }
}).observe({ entryTypes: ['gc'] });

process.stdout.write(`${JSON.stringify({ port })}\n`);
process.on('SIGUSR2', () => {
  process.stdout.write(`${JSON.stringify({ mainCpuMs: mainThreadCpuMs(), gc })}\n`);
  gc.maxMs = 0;
});
process.on('SIGTERM', () => {
  // The peak over the whole run, for the bench's RSS figures (maxRSS is in KiB).
  process.stdout.write(`${JSON.stringify({ maxRSS: process.resourceUsage().maxRSS })}\n`);
  void stop().finally(() => process.exit(0));
});
