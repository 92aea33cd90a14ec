/** The results table: one row per figure, with the baseline measured in the same run and the ratio. */

export type Verdict = 'ok' | 'OVER' | 'FAIL' | 'n/a' | '';

export interface Row {
  measure: string;
  bot: string;
  baseline: string;
  ratio: string;
  target: string;
  verdict: Verdict;
}

export interface Section {
  title: string;
  rows: Row[];
  notes: string[];
}

export function ratio(bot: number, baseline: number, digits = 2): string {
  if (!Number.isFinite(bot) || !Number.isFinite(baseline) || baseline === 0) return '—';
  return `${(bot / baseline).toFixed(digits)}×`;
}

/** ok when `value <= limit`, OVER otherwise. */
export function atMost(value: number, limit: number): Verdict {
  if (!Number.isFinite(value)) return 'FAIL';
  return value <= limit ? 'ok' : 'OVER';
}

export function ms(value: number): string {
  if (!Number.isFinite(value)) return '—';
  if (value >= 10_000) return `${(value / 1000).toFixed(1)} s`;
  if (value >= 100) return `${value.toFixed(0)} ms`;
  if (value >= 10) return `${value.toFixed(1)} ms`;
  return `${value.toFixed(2)} ms`;
}

export function mb(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / (1024 * 1024)).toFixed(0)} MB` : '—';
}

const HEADER: (keyof Row)[] = ['measure', 'bot', 'baseline', 'ratio', 'target', 'verdict'];

function escape(cell: string): string {
  return cell.replace(/\|/g, '\\|');
}

/** One markdown table for every section (a bold row heads each part), then the notes. */
export function renderMarkdown(sections: Section[]): string {
  const lines = [
    `| ${HEADER.join(' | ')} |`,
    `| ${HEADER.map((h) => (h === 'measure' ? '---' : '--:')).join(' | ')} |`,
  ];
  for (const section of sections) {
    lines.push(`| **${escape(section.title)}** | | | | | |`);
    for (const row of section.rows) lines.push(`| ${HEADER.map((h) => escape(row[h])).join(' | ')} |`);
  }
  const notes = sections.flatMap((s) => s.notes.map((n) => `- ${s.title}: ${n}`));
  if (notes.length > 0) lines.push('', ...notes);
  return lines.join('\n');
}
