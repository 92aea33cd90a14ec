import { bindCard } from '../../../src/cards/render';
import { cardText } from '../../harness/cards';
import { expectValidCard } from '../../support/cardValidation';
import { liveCardSamples } from './liveSamples';
import { CARD_SAMPLES, type CardSample } from './samples';

describe('card templates', () => {
  test.each(CARD_SAMPLES.map((s) => [s.name, s] as const))(
    '%s binds to a valid Adaptive Card 1.5 under the Teams size limit that renders',
    (_name, sample) => {
      expectValidCard(bindCard(sample.template, sample.data as never));
    },
  );

  test('the pictures built from real checks (diagnose against the HTTPS Graph fake) are valid and show what the checks found', async () => {
    const live = await liveCardSamples();
    const text = (name: string) => {
      const sample = live.find((s) => s.name === name) as CardSample;
      const card = bindCard(sample.template, sample.data as never) as Record<string, unknown>;
      expectValidCard(card);
      return cardText(card);
    };
    const diagnostics = text('diagnostics-channel');
    // The consent check's own permission table, from the user-only grant the fake tenant holds.
    expect(diagnostics).toContain(
      'Create, edit, and delete items and lists in all your site collections: Not granted',
    );
    expect(diagnostics).toContain(
      'Microsoft Entra last saw the connector app used in this tenant on 2026-02-25 13:20 UTC.',
    );
    expect(diagnostics).toContain('RoleManagement.Read.Directory');
    expect(text('diagnostics-personal')).toContain('Request-SPOPersonalSite');
    expect(text('connector-status-entra-evidence')).toContain('25.02.2026, 14:20 (Europe/Berlin)');
  });
});
