import type { CardTemplate } from '../../src/cards/render';
import { helpCard, welcomeCard } from '../../src/cards/helpCards';
import { helpCardData } from '../../src/bot/helpFeature';

/** A template with data a real turn would bind, used to validate and picture every card. */
export interface CardSample {
  name: string;
  template: CardTemplate<never>;
  data: object;
}

function sample<T extends object>(name: string, template: CardTemplate<T>, data: T): CardSample {
  return { name, template: template as CardTemplate<never>, data };
}

/** Every card template the bot sends, with sample data. */
export const CARD_SAMPLES: CardSample[] = [
  sample(
    'help',
    helpCard,
    helpCardData(90, () => true),
  ),
  sample(
    'help-unknown-text',
    helpCard,
    helpCardData(90, () => true, 'I did not understand "make me a sandwich".'),
  ),
  sample('welcome', welcomeCard, {
    greeting:
      'Thanks for adding me, Adele Vance. I help you authorize migration connectors into Microsoft 365.',
    scopeTip: 'In this team, @mention me before a command.',
  }),
];
