/** Finding a connector by the name a person typed. */

export interface Named {
  displayName: string;
}

export type NameMatch<T> =
  { kind: 'one'; item: T } | { kind: 'ambiguous'; items: T[] } | { kind: 'none'; suggestions: T[] };

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}

/** Quotes people put around a name they type (straight, curly, guillemets). */
const QUOTED = /^(["'“”„‘’«»])(.*)(["'“”‘’«»])$/su;

/**
 * A name as it is compared: one canonical Unicode form (a composed and a decomposed "Café" are
 * one name), without surrounding white space or quotes, case-insensitive.
 */
export function nameKeyOf(name: string): string {
  const trimmed = name.normalize('NFC').trim();
  const unquoted = QUOTED.exec(trimmed)?.[2]?.trim() ?? trimmed;
  return unquoted.toLowerCase();
}

/** Whether a typed name is this connector's own, not only a part of it. */
export const isExactName = (item: Named, query: string): boolean =>
  nameKeyOf(item.displayName) === nameKeyOf(query);

/**
 * Exact name first (case-insensitive), then a unique prefix or substring; several candidates
 * are ambiguous; nothing gives the three closest names by edit distance.
 */
export function matchByName<T extends Named>(items: readonly T[], query: string): NameMatch<T> {
  const wanted = nameKeyOf(query);
  const exact = items.filter((i) => nameKeyOf(i.displayName) === wanted);
  if (exact.length === 1) return { kind: 'one', item: exact[0] };
  if (exact.length > 1) return { kind: 'ambiguous', items: exact };
  const partial = items.filter((i) => nameKeyOf(i.displayName).includes(wanted));
  if (wanted.length > 0 && partial.length === 1) return { kind: 'one', item: partial[0] };
  if (wanted.length > 0 && partial.length > 1) return { kind: 'ambiguous', items: partial.slice(0, 10) };
  const suggestions = [...items]
    .map((item) => ({ item, d: distance(nameKeyOf(item.displayName), wanted) }))
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map((s) => s.item);
  return { kind: 'none', suggestions };
}
