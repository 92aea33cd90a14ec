import type { WizardStepCardData } from '../cards/wizardCards';
import type { BoxStyle } from '../cards/messageCard';
import type { ConnectorType } from '../connectors/catalog';
import { nextButton, type PageView, type WizardState } from './wizardFlow';

/**
 * Who a step card is rendered for. In a personal chat the only viewer is the person who started
 * the wizard; in a channel or group chat the card everyone sees is read-only, and its `refresh`
 * lets the starter's client fetch the controls.
 */
export interface StepCardAudience {
  shared: boolean;
  controls: boolean;
  /** Teams ids of the starter, for `refresh.userIds`; empty outside shared conversations. */
  refreshUserIds: string[];
}

/** The audience of a personal chat: the starter, with the controls and no refresh. */
export const PERSONAL_AUDIENCE: StepCardAudience = { shared: false, controls: true, refreshUserIds: [] };

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
  audience: StepCardAudience = PERSONAL_AUDIENCE,
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
    shared: audience.shared,
    refreshUserIds: audience.refreshUserIds,
    controls: audience.controls,
    viewerNote: audience.controls
      ? ''
      : `${state.owner.name} is authorizing this connector; only they can use these controls.`,
  };
}
