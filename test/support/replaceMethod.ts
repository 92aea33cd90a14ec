/**
 * Runs `body` with `object[name]` replaced by what `make` builds from the original, then puts the
 * original back. The stores sit behind a Proxy (guardStore), where jest.spyOn hands back the
 * wrapper rather than its mock, so the method is set on the object itself and deleted after.
 */
export async function withReplaced<T extends object, K extends keyof T, R>(
  object: T,
  name: K,
  make: (original: T[K]) => T[K],
  body: () => Promise<R>,
): Promise<R> {
  const own = object as Record<PropertyKey, unknown>;
  own[name as PropertyKey] = make(object[name]);
  try {
    return await body();
  } finally {
    delete own[name as PropertyKey];
  }
}
