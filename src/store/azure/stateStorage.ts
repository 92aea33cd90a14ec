import type { Storage, StoreItems } from 'botbuilder';
import type { BlobsStorage } from 'botbuilder-azure-blobs';
import { createHash } from 'node:crypto';
import { keyedItems } from '../keyedItems';
import { guard } from './errors';

/** BlobsStorage URI-encodes a key and cuts it at 1024 characters; longer keys are hashed instead. */
const MAX_ENCODED_KEY = 1000;

function blobKey(key: string): string {
  return encodeURIComponent(key).length <= MAX_ENCODED_KEY
    ? key
    : `long-keys/${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

/**
 * Turn and dialog state in blobs, through botbuilder-azure-blobs' BlobsStorage: one JSON blob per
 * key, eTag = the blob's ETag, a write that carries an eTag other than "*" is an If-Match upload
 * (a mismatch, or a blob deleted since, fails with "eTag conflict" as MemoryStorage does), a write
 * without one overwrites. This wrapper only maps network failures to StoreUnavailableError and
 * keeps over-long keys from colliding.
 */
export class AzureStateStorage implements Storage {
  constructor(private readonly blobs: BlobsStorage) {}

  read(keys: string[]): Promise<StoreItems> {
    return guard(async () => {
      const mapped = keys.map(blobKey);
      const found = await this.blobs.read(mapped);
      const items = keyedItems();
      keys.forEach((key, i) => {
        if (found[mapped[i]] !== undefined) items[key] = found[mapped[i]];
      });
      return items;
    });
  }

  write(changes: StoreItems): Promise<void> {
    return guard(() =>
      this.blobs.write(
        Object.fromEntries(Object.entries(changes).map(([key, item]) => [blobKey(key), item])),
      ),
    );
  }

  delete(keys: string[]): Promise<void> {
    return guard(() => this.blobs.delete(keys.map(blobKey)));
  }
}
