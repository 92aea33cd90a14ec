/** Sort key for connector names, the same in every store adapter: case-insensitive, so "Finance" and "finance" sit together. */
export function nameKey(displayName: string): string {
  return displayName.trim().toLowerCase();
}
