import { TestAdapter, TurnContext } from 'botbuilder';
import { DialogSet } from 'botbuilder-dialogs/lib/dialogSet';
import { DialogContext } from 'botbuilder-dialogs/lib/dialogContext';
import { DialogStateConfiguration } from '../../../src/dialogs/dialogStateConfiguration';

function turn(): TurnContext {
  return new TurnContext(new TestAdapter(), {
    type: 'message',
    channelId: 'msteams',
    conversation: { id: 'c', isGroup: false, conversationType: 'personal', name: '' },
  });
}

describe('the memory-scope configuration of dialog contexts', () => {
  test('the first turn builds it as botbuilder does; later turns get that one instead of building their own', () => {
    const shared = new DialogStateConfiguration();
    const first = turn();
    shared.prepare(first);
    const built = shared.keep(new DialogContext(new DialogSet(), first, { dialogStack: [] })).state
      .configuration;
    expect(built.memoryScopes.length).toBeGreaterThan(0);
    expect(built.pathResolvers.length).toBeGreaterThan(0);

    const later = turn();
    shared.prepare(later);
    const dc = shared.keep(new DialogContext(new DialogSet(), later, { dialogStack: [] }));
    expect(dc.state.configuration).toBe(built);

    const unshared = new DialogContext(new DialogSet(), turn(), { dialogStack: [] });
    expect(unshared.state.configuration).not.toBe(built);
    expect(unshared.state.configuration.memoryScopes.map((s) => s.name)).toEqual(
      built.memoryScopes.map((s) => s.name),
    );
  });
});
