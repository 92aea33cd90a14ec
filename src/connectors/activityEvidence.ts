import { DAY_MS } from '../util/clock';
import { clockStart, type Connector } from './connector';

/** How far Entra's evidence may run ahead of the 90-day clock before the bot offers to record it. */
export const EVIDENCE_TOLERANCE_DAYS = 7;

/**
 * The transfer date that outside evidence (Microsoft Entra saw the connector app used at
 * `seenAt`) suggests for an authorized connector whose clock started more than
 * {@link EVIDENCE_TOLERANCE_DAYS} days before it; undefined when they agree, or when a transfer
 * could not be recorded at that time (the future, before the connector existed, not authorized).
 */
export function suggestedTransferAt(
  connector: Pick<Connector, 'status' | 'createdAt' | 'lastTransferAt' | 'authorizedAt'>,
  seenAt: Date,
  now: Date,
): Date | undefined {
  if (connector.status !== 'authorized' || Number.isNaN(seenAt.getTime())) return undefined;
  if (seenAt.getTime() > now.getTime() || seenAt.getTime() < new Date(connector.createdAt).getTime()) {
    return undefined;
  }
  const start = clockStart(connector);
  if (!start) return undefined;
  return seenAt.getTime() - start.getTime() > EVIDENCE_TOLERANCE_DAYS * DAY_MS ? seenAt : undefined;
}
