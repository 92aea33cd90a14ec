// From its module, not the package index (see src/bot/onDemandModules.ts).
import { ComponentDialog } from 'botbuilder-dialogs/lib/componentDialog';
import type { DialogTurnResult } from 'botbuilder-dialogs/lib/dialog';
import type { DialogContext } from 'botbuilder-dialogs/lib/dialogContext';
import type { ConnectorTypeId } from '../connectors/catalog';
import { continueActiveDialog } from './continueActiveDialog';
import { StepCardDialog, type StepCardDeps } from './stepCardDialog';
import type { WizardFlow } from './wizardFlow';

/** The dialog id of a connector type's wizard. */
export function wizardDialogId(type: ConnectorTypeId): string {
  return `wizard:${type}`;
}

/**
 * One ComponentDialog per connector type: its flow runs inside the shared step-card dialog.
 */
export class ConnectorWizardDialog extends ComponentDialog {
  readonly steps: StepCardDialog;

  constructor(
    readonly flow: WizardFlow,
    deps: StepCardDeps,
  ) {
    super(wizardDialogId(flow.type.id));
    this.steps = new StepCardDialog(`${wizardDialogId(flow.type.id)}:steps`, flow, deps);
    this.addDialog(this.steps);
    this.initialDialogId = this.steps.id;
  }

  /** The step-card dialog continues without a dialog event first (see continueActiveDialog). */
  protected override onContinueDialog(innerDC: DialogContext): Promise<DialogTurnResult> {
    return continueActiveDialog(innerDC);
  }
}
