import type { WizardStepCardData } from '../cards/wizardCards';
import type { BoxStyle } from '../cards/messageCard';
import type { ConnectorType } from '../connectors/catalog';
import { nextButton, type PageView, type WizardState } from './wizardFlow';

/**
 * A wizard step card's data: the flow's page view, with the ids, title, owner, notice and the
 * Back and Cancel buttons every step has. Pure, so the card pictures (npm run cards) are built
 * exactly as a turn builds them.
 */
export function stepCardData(
  type: Pick<ConnectorType, 'name'>,
  state: WizardState,
  view: PageView,
  notice = '',
  noticeStyle: BoxStyle = 'attention',
): WizardStepCardData {
  const canGoBack = state.history.length > 0;
  const buttons = [
    ...(view.buttons ?? [nextButton()]),
    ...(canGoBack
      ? [{ title: 'Back', move: 'back', style: 'default' as const, inputs: 'none' as const }]
      : []),
    { title: 'Cancel', move: 'cancel', style: 'destructive' as const, inputs: 'none' as const },
  ];
  return {
    wizardId: state.wizardId,
    pageKey: state.page,
    title: `${state.reauthorize ? 'Reauthorize' : 'Authorize'} the ${type.name}`,
    subtitle: state.displayName ? `Connector: ${state.displayName}` : 'No display name yet',
    notice,
    noticeStyle,
    ownerName: state.owner.name,
    textInputs: [],
    choiceInputs: [],
    links: [],
    peoplePicker: false,
    ...view,
    buttons,
  };
}
