/**
 * The "Important" note that opens seeds 001 and 003: Mover is retired for admin-led migrations.
 * Its links are the seeds' own, relative to the Microsoft Learn SharePoint migration pages they
 * come from (learn.microsoft.com/sharepointmigration), resolved to absolute addresses.
 */

export const MOVER_RETIREMENT = {
  headline: '**Mover is now retired for all admin-led migrations.**',
  paragraphs: [
    'The ability to migrate from Google Drive, Box, Dropbox and Egnyte has been fully integrated into Migration Manager. Migration Manager does not support the migration of Amazon S3 or Azure Blob Storage. All FastTrack-led migrations have transitioned to Migration Manager.',
    '**Tenant to tenant migration**: Cross-tenant OneDrive migration is now available outside of Migration Manager. A cross-tenant migration solution for SharePoint is being developed and is in private preview.',
  ],
  links: [
    {
      title: 'Mover retirement timeline',
      url: 'https://learn.microsoft.com/sharepointmigration/mover-retirement-timeline',
    },
    {
      title: 'Cross-tenant OneDrive migration',
      url: 'https://learn.microsoft.com/microsoft-365/enterprise/cross-tenant-onedrive-migration',
    },
  ],
} as const;

/** The notice as card data: one text (headline and paragraphs) and its link buttons. */
export function moverRetirementCardData(): { text: string; links: { title: string; url: string }[] } {
  return {
    text: [MOVER_RETIREMENT.headline, ...MOVER_RETIREMENT.paragraphs].join('\n\n'),
    links: MOVER_RETIREMENT.links.map((l) => ({ ...l })),
  };
}
