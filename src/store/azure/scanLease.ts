import type { BlobLeaseClient, ContainerClient } from '@azure/storage-blob';
import { randomUUID } from 'node:crypto';
import type { ScanLeadership } from '../../connectors/ports';
import type { Logger } from '../../util/logger';
import { guard, ignoring } from './errors';
import { httpStatusOf } from '../../util/httpStatus';

/** Azure accepts 15 to 60 seconds for a finite lease. */
export const MIN_LEASE_SECONDS = 15;
export const MAX_LEASE_SECONDS = 60;

/**
 * Leadership through a blob lease: whoever holds the lease on the blob runs the scan. The holder
 * renews it (every third of its duration) while it works and releases it when done; a holder that
 * crashes stops renewing, its lease expires after `durationSeconds`, and another replica gets it.
 * Overlapping scans stay safe anyway: the notice ledger sends each notice once.
 */
export class ScanLease implements ScanLeadership {
  private readonly lease: BlobLeaseClient;
  private blobReady = false;
  /** A scan of this process is running: a second one (cron and API at once) is not started. */
  private running = false;

  constructor(
    private readonly container: ContainerClient,
    private readonly blobName = 'expiry-scanner',
    readonly durationSeconds = 30,
    private readonly logger?: Logger,
    /** This holder's lease id; two ScanLease objects with different ids compete. */
    readonly holderId: string = randomUUID(),
  ) {
    if (
      !Number.isInteger(durationSeconds) ||
      durationSeconds < MIN_LEASE_SECONDS ||
      durationSeconds > MAX_LEASE_SECONDS
    ) {
      throw new RangeError(`lease duration must be ${MIN_LEASE_SECONDS}-${MAX_LEASE_SECONDS} s`);
    }
    this.lease = container.getBlobClient(blobName).getBlobLeaseClient(holderId);
  }

  /** The lease needs a blob; an empty one is created once if missing (racing creators are fine). */
  private async ensureBlob(): Promise<void> {
    if (this.blobReady) return;
    const blob = this.container.getBlockBlobClient(this.blobName);
    // 409 (lease present) and 412 (exists) both mean the blob is there.
    await ignoring([409, 412], blob.upload('', 0, { conditions: { ifNoneMatch: '*' } }));
    this.blobReady = true;
  }

  /** True when this holder now holds the lease (a holder that already has it keeps it). */
  tryAcquire(): Promise<boolean> {
    return guard(async () => {
      await this.ensureBlob();
      try {
        await this.lease.acquireLease(this.durationSeconds);
        return true;
      } catch (err) {
        if (httpStatusOf(err) === 409) return false;
        if (httpStatusOf(err) === 404) this.blobReady = false;
        throw err;
      }
    });
  }

  /** Extends the lease; false when it was lost (expired and taken, or broken). */
  renew(): Promise<boolean> {
    return guard(async () => {
      try {
        await this.lease.renewLease();
        return true;
      } catch (err) {
        if (httpStatusOf(err) === 409 || httpStatusOf(err) === 412 || httpStatusOf(err) === 404) return false;
        throw err;
      }
    });
  }

  /** Gives the lease up at once, so another replica need not wait for it to expire. */
  release(): Promise<void> {
    return guard(async () => {
      await ignoring([404, 409, 412], this.lease.releaseLease());
    });
  }

  /**
   * Runs `fn` when this replica wins the lease and holds it (renewing) until `fn` settles;
   * resolves undefined at once, without running `fn`, when another replica holds it or this one
   * is already running a scan (acquiring a lease one already holds succeeds, so that is checked here).
   */
  async runExclusive<T>(fn: () => Promise<T>): Promise<T | undefined> {
    if (this.running) return undefined;
    this.running = true;
    try {
      if (!(await this.tryAcquire())) return undefined;
      return await this.holding(fn);
    } finally {
      this.running = false;
    }
  }

  private async holding<T>(fn: () => Promise<T>): Promise<T> {
    let renewing = Promise.resolve();
    const timer = setInterval(
      () => {
        renewing = this.renew()
          .then((held) => {
            if (!held) {
              clearInterval(timer);
              this.logger?.warn('scan lease lost while scanning; the notice ledger keeps notices once-only', {
                blob: this.blobName,
              });
            }
          })
          .catch((error) => this.logger?.warn('scan lease renewal failed', { blob: this.blobName, error }));
      },
      (this.durationSeconds * 1000) / 3,
    );
    timer.unref();
    try {
      return await fn();
    } finally {
      clearInterval(timer);
      await renewing;
      await this.release().catch((error) =>
        this.logger?.warn('scan lease release failed; it expires by itself', { blob: this.blobName, error }),
      );
    }
  }
}
