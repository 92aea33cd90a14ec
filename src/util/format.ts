/** "in 12 days", "today", "1 day". */
export function daysText(days: number): string {
  if (days <= 0) return 'today';
  return days === 1 ? '1 day' : `${days} days`;
}
