import type { TurnContext } from 'botbuilder';
import type { DialogContext } from 'botbuilder-dialogs/lib/dialogContext';
import type { DialogStateManagerConfiguration } from 'botbuilder-dialogs/lib/memory/dialogStateManager';

/** Where botbuilder-dialogs looks for a turn's memory scopes before building them (its own key). */
const CONFIGURATION_KEY = 'DialogStateManagerConfiguration';

/**
 * The memory scopes and path resolvers of botbuilder-dialogs' state manager, kept from the first
 * dialog context on. botbuilder builds them for every turn that makes a DialogContext (a
 * dependency graph resolved and a dozen scope objects made, about a twentieth of a wizard
 * step), unless the turn already carries them, as botbuilder's DialogManager hands in the ones
 * it keeps. They hold nothing of a turn: each call is given the dialog context it works on.
 */
export class DialogStateConfiguration {
  private kept: DialogStateManagerConfiguration | undefined;

  /** Hands the kept configuration to this turn's dialog contexts (none yet: they build it). */
  prepare(context: TurnContext): void {
    if (this.kept && !context.turnState.has(CONFIGURATION_KEY))
      context.turnState.set(CONFIGURATION_KEY, this.kept);
  }

  /** Keeps what the first dialog context built. */
  keep(dc: DialogContext): DialogContext {
    this.kept ??= dc.state.configuration;
    return dc;
  }
}
