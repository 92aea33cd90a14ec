import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAzureStore } from '../../../src/store/azure';
import { MIN_LEASE_SECONDS, ScanLease } from '../../../src/store/azure/scanLease';
import { freshPrefix, useAzurite } from '../../support/azurite';

const azurite = useAzurite({ services: ['blob', 'table'] });
let container: ContainerClient;

beforeAll(async () => {
  container = BlobServiceClient.fromConnectionString(azurite().connectionString).getContainerClient('leases');
  await container.createIfNotExists();
});

const blobName = () => `scanner-${randomBytes(4).toString('hex')}`;

describe('scan lease (blob lease leadership)', () => {
  it('refuses durations Azure does not accept', () => {
    expect(() => new ScanLease(container, 'x', 10)).toThrow(RangeError);
    expect(() => new ScanLease(container, 'x', 61)).toThrow(RangeError);
  });

  it('gives the lease to one of two holders, and to the other once it is released', async () => {
    const name = blobName();
    const first = new ScanLease(container, name, MIN_LEASE_SECONDS);
    const second = new ScanLease(container, name, MIN_LEASE_SECONDS);
    const results = await Promise.all([first.tryAcquire(), second.tryAcquire()]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const [holder, other] = results[0] ? [first, second] : [second, first];
    expect(await holder.tryAcquire()).toBe(true);
    expect(await holder.renew()).toBe(true);
    expect(await other.tryAcquire()).toBe(false);
    expect(await other.renew()).toBe(false);
    await holder.release();
    expect(await other.tryAcquire()).toBe(true);
    expect(await holder.renew()).toBe(false);
    await other.release();
  });

  it('runs a scan on exactly one of two replicas and releases the lease afterwards', async () => {
    const prefix = freshPrefix();
    const replicas = await Promise.all([
      createAzureStore(azurite().connectionString, undefined, { prefix, leaseSeconds: MIN_LEASE_SECONDS }),
      createAzureStore(azurite().connectionString, undefined, { prefix, leaseSeconds: MIN_LEASE_SECONDS }),
    ]);
    let runs = 0;
    const scan = async () => {
      runs += 1;
      await sleep(300);
      return 'scanned';
    };
    const results = await Promise.all(replicas.map((r) => r.scanLeadership!.runExclusive(scan)));
    expect(runs).toBe(1);
    expect(results.sort()).toEqual(['scanned', undefined]);
    // Released when done: the next scan does not wait for the lease to expire.
    expect(await replicas[1].scanLeadership!.runExclusive(scan)).toBe('scanned');
    // Two scans of one replica at once (cron and API): the second does not start.
    runs = 0;
    const both = await Promise.all([
      replicas[0].scanLeadership!.runExclusive(scan),
      replicas[0].scanLeadership!.runExclusive(scan),
    ]);
    expect(runs).toBe(1);
    expect(both.sort()).toEqual(['scanned', undefined]);
  });

  it("keeps a live leader's lease by renewing it, and hands a crashed leader's lease over when it expires", async () => {
    // Two blobs at once, so the file waits for one lease period only.
    const live = blobName();
    const leader = new ScanLease(container, live, MIN_LEASE_SECONDS);
    const challenger = new ScanLease(container, live, MIN_LEASE_SECONDS);
    let challengerWon = false;
    let scanning = true;
    const longScan = leader.runExclusive(async () => {
      // Longer than the lease: only the renewals keep it.
      await sleep((MIN_LEASE_SECONDS + 3) * 1000);
      return 'done';
    });

    const crashed = blobName();
    const dead = new ScanLease(container, crashed, MIN_LEASE_SECONDS);
    const successor = new ScanLease(container, crashed, MIN_LEASE_SECONDS);
    expect(await dead.tryAcquire()).toBe(true);
    const crashedAt = Date.now();
    // The dead holder neither renews nor releases.

    const challenge = (async () => {
      while (scanning) {
        if (await challenger.tryAcquire()) challengerWon = true;
        await sleep(1000);
      }
    })();
    const takeOver = (async () => {
      while (!(await successor.tryAcquire())) await sleep(500);
      return Date.now() - crashedAt;
    })();

    const waited = await takeOver;
    expect(waited).toBeGreaterThanOrEqual((MIN_LEASE_SECONDS - 1) * 1000);
    expect(waited).toBeLessThan((MIN_LEASE_SECONDS + 3) * 1000);

    expect(await longScan).toBe('done');
    scanning = false;
    await challenge;
    expect(challengerWon).toBe(false);
    // The leader released at the end.
    expect(await challenger.tryAcquire()).toBe(true);
    await Promise.all([challenger.release(), successor.release()]);
  }, 40_000);
});
