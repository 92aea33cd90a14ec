import { conversationOfRequest } from '../../../src/notify/connectorPacing';

describe('the conversation a Bot Connector request addresses', () => {
  test('a reply, an update and a member read name their conversation, decoded', () => {
    const base = 'https://smba.trafficmanager.net/emea/v3/conversations';
    const personal = 'a:1xYz-_Q';
    const thread = '19:abc@thread.tacv2;messageid=1712345678901';
    expect(conversationOfRequest(`${base}/${encodeURIComponent(personal)}/activities/act-1`)).toBe(personal);
    expect(conversationOfRequest(`${base}/${encodeURIComponent(thread)}/activities/act-2`)).toBe(thread);
    expect(conversationOfRequest(`${base}/${encodeURIComponent(thread)}/activities`)).toBe(thread);
    expect(conversationOfRequest(`${base}/${encodeURIComponent(personal)}/members/29%3Aperson`)).toBe(
      personal,
    );
  });

  test('a request about no conversation (creating one, an attachment) names none', () => {
    expect(conversationOfRequest('https://smba.trafficmanager.net/emea/v3/conversations')).toBeUndefined();
    expect(
      conversationOfRequest('https://smba.trafficmanager.net/emea/v3/attachments/att-1'),
    ).toBeUndefined();
  });

  test('a malformed escape is kept as sent rather than failing the send', () => {
    expect(conversationOfRequest('http://127.0.0.1:1/v3/conversations/a%ZZb/activities')).toBe('a%ZZb');
  });
});
