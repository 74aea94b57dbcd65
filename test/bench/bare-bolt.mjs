// The bench's yardstick (test/bench/memory.ts): a bare Bolt app as anyone would deploy one, plain JavaScript started
// with plain `node`, the same receiver and signing as the bot, acking /mle-duties with nothing else. Settings from the
// same environment variables as the bot (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL, PORT).
import bolt from '@slack/bolt';

const { App, HTTPReceiver, LogLevel } = bolt;
const receiver = new HTTPReceiver({
  signingSecret: process.env.SLACK_SIGNING_SECRET,
  endpoints: '/slack/events',
  logLevel: LogLevel.ERROR,
});
const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  botId: 'B0BARE',
  botUserId: 'U0BARE',
  tokenVerificationEnabled: false,
  receiver,
  logLevel: LogLevel.ERROR,
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL },
});
app.command('/mle-duties', async ({ ack }) => {
  await ack();
});
await app.start(Number(process.env.PORT));
process.on('SIGTERM', () => void app.stop().finally(() => process.exit(0)));
