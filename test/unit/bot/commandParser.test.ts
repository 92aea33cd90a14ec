import { normalizeMessageText, parseCommand } from '../../../src/bot/commandParser';

describe('command parsing: what Teams wraps around a command', () => {
  it('drops the mentions before the command word, and keeps a later mention as the name it shows', () => {
    expect(parseCommand('<at>Connector Concierge</at> status Finance')).toEqual({
      name: 'status',
      args: 'Finance',
    });
    expect(parseCommand('&nbsp;<at>Concierge</at>&nbsp;<at>Concierge</at> help')).toEqual({
      name: 'help',
      args: '',
    });
    // Someone the command is about: the command sees a name, not nothing (which would mean "me").
    expect(parseCommand('roles <at>Megan Bowen</at> exchange')).toEqual({
      name: 'roles',
      args: 'Megan Bowen exchange',
    });
  });

  it('decodes the entities the compose box sends, once, and drops zero-width characters', () => {
    expect(normalizeMessageText('status O&#39;Brien &quot;HR&quot; &amp;lt;x&amp;gt;')).toBe(
      'status O\'Brien "HR" &lt;x&gt;',
    );
    expect(parseCommand('\u200bstatus\u200b Finance')).toEqual({ name: 'status', args: 'Finance' });
    expect(normalizeMessageText('<p>status&nbsp;Finance<br/>migration</p>')).toBe('status Finance migration');
  });
});
