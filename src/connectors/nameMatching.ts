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

/**
 * Exact name first (case-insensitive), then a unique prefix or substring; several candidates
 * are ambiguous; nothing gives the three closest names by edit distance.
 */
export function matchByName<T extends Named>(items: readonly T[], query: string): NameMatch<T> {
  const wanted = query.trim().toLowerCase();
  const exact = items.filter((i) => i.displayName.trim().toLowerCase() === wanted);
  if (exact.length === 1) return { kind: 'one', item: exact[0] };
  if (exact.length > 1) return { kind: 'ambiguous', items: exact };
  const partial = items.filter((i) => i.displayName.toLowerCase().includes(wanted));
  if (wanted.length > 0 && partial.length === 1) return { kind: 'one', item: partial[0] };
  if (wanted.length > 0 && partial.length > 1) return { kind: 'ambiguous', items: partial.slice(0, 10) };
  const suggestions = [...items]
    .map((item) => ({ item, d: distance(item.displayName.toLowerCase(), wanted) }))
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map((s) => s.item);
  return { kind: 'none', suggestions };
}
