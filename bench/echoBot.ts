/**
 * The baseline: the smallest bot that does the same HTTP work as Connector Concierge, written
 * with botbuilder's CloudAdapter and restify. It answers every message with one text reply
 * (replyToActivity on the activity's serviceUrl), a card action (an `adaptiveCard/action`
 * invoke, Universal Actions) with a one-line card in the invoke's HTTP answer, as the bot
 * answers its card buttons and refreshes, and serves GET /healthz. No state, no store.
 */
import * as restify from 'restify';
import { ActivityTypes, CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';

const port = Number(process.env.PORT ?? 3979);
// No credentials: anonymous, as the bot under test runs in the benchmark.
const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));

/** The invoke response of a card action: a card that says what was clicked, as the bot's cards do. */
function echoCard(value: unknown) {
  return {
    status: 200,
    body: {
      statusCode: 200,
      type: 'application/vnd.microsoft.card.adaptive',
      value: {
        type: 'AdaptiveCard',
        version: '1.5',
        body: [{ type: 'TextBlock', text: `echo: ${JSON.stringify(value ?? '').slice(0, 200)}`, wrap: true }],
      },
    },
  };
}

const server = restify.createServer({ name: 'echo-bot', handleUncaughtExceptions: false });
server.post(
  '/api/messages',
  ...restify.plugins.bodyParser({ maxBodySize: 256 * 1024, mapParams: false }),
  async (req, res) => {
    await adapter.process(req, res, async (context) => {
      if (context.activity.type === ActivityTypes.Invoke && context.activity.name === 'adaptiveCard/action') {
        await context.sendActivity({
          type: ActivityTypes.InvokeResponse,
          value: echoCard(context.activity.value),
        });
        return;
      }
      if (context.activity.type !== ActivityTypes.Message) return;
      const said = context.activity.text ?? JSON.stringify(context.activity.value ?? '');
      await context.sendActivity(`echo: ${said.slice(0, 200)}`);
    });
  },
);
server.get('/healthz', async (_req, res) => {
  res.send(200, { status: 'ok' });
});
server.listen(port, '127.0.0.1');

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
