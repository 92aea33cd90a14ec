import type { TurnContext } from 'botbuilder';
import { CardActionError, refuse } from '../../../src/bot/universalActions';

/** A turn of `type` that records what the bot sent. */
function turn(activity: Record<string, unknown>) {
  const sent: unknown[] = [];
  const context = {
    activity,
    sendActivity: async (a: unknown) => {
      sent.push(a);
      return undefined;
    },
  } as unknown as TurnContext;
  return { context, sent };
}

const MESSAGE = 'Only [Ada](https://evil.example) *Lovelace* can remove first_last@contoso.com.';

describe('refuse', () => {
  test('a typed command gets the refusal as a reply, escaped: Teams reads a reply as markdown', async () => {
    const { context, sent } = turn({ type: 'message' });
    await refuse(context, 403, MESSAGE);
    expect(sent).toEqual([
      'Only \\[Ada\\](https://evil.example) \\*Lovelace\\* can remove first\\_last@contoso.com.',
    ]);
  });

  test("a card's Execute gets it as the invoke's error, as written: Teams shows it as plain text", async () => {
    const { context, sent } = turn({ type: 'invoke', name: 'adaptiveCard/action' });
    await expect(refuse(context, 403, MESSAGE)).rejects.toEqual(new CardActionError(403, MESSAGE));
    expect(sent).toEqual([]);
  });
});
