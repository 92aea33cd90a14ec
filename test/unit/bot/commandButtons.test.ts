import { TableClient } from '@azure/data-tables';
import { MAX_BUTTON_ARGS, parseCommandButton } from '../../../src/bot/messageRouting';
import { MAX_COMMAND_LENGTH } from '../../../src/bot/commandParser';
import { AzureConnectorStore } from '../../../src/store/azure/connectorStore';
import { aConnector } from '../../support/builders';

describe('command buttons: the rest of the line they carry', () => {
  it("keeps a 'Show more' cursor whole: the Azure store's, from an 80-character name in Japanese, is longer than a typed line", () => {
    // No request is made: the cursor is computed from the record alone.
    const table = new TableClient('http://127.0.0.1:1/devstoreaccount1', 'unused');
    const store = new AzureConnectorStore(table, table, table);
    const connector = aConnector('55555555-5555-4555-8555-555555555555').named('移行'.repeat(40)).build();
    const cursor = store.cursorAfter(connector);
    expect(cursor.length).toBeGreaterThan(MAX_COMMAND_LENGTH);
    const parsed = parseCommandButton({ command: 'connectors', args: `more ${cursor}`, connectorId: '' });
    expect(parsed).toEqual({ data: { command: 'connectors', args: `more ${cursor}`, connectorId: '' } });
  });

  it('still bounds what a forged button may carry', () => {
    const parsed = parseCommandButton({ command: 'status', args: 'x'.repeat(50_000) });
    expect('data' in parsed && parsed.data.args.length).toBe(MAX_BUTTON_ARGS);
    expect(parseCommandButton({ command: 'format c:', args: '' })).toHaveProperty('error');
  });
});
