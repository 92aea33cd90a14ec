import { bindCard } from '../../src/cards/render';
import { expectValidCard } from '../support/cardValidation';
import { CARD_SAMPLES } from './samples';

describe('card templates', () => {
  test.each(CARD_SAMPLES.map((s) => [s.name, s] as const))(
    '%s binds to a valid Adaptive Card 1.5 under the Teams size limit that renders',
    (_name, sample) => {
      expectValidCard(bindCard(sample.template, sample.data as never));
    },
  );
});
