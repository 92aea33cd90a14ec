import { adminConsentRequestsUrl } from '../../../src/connectors/clouds';
import { parseReviewerQuery, reviewerText } from '../../../src/diagnostics/consentWorkflowReviewers';

const ID = '906e0ee5-6372-4cc8-8248-fdf2846b48ed';
const GA = '62e90394-69f5-4237-9190-012177145e10';

describe('reviewer queries of the admin consent policy', () => {
  test.each([
    [`/users/${ID}`, 'user'],
    [`/v1.0/users/${ID}`, 'user'],
    [`https://graph.microsoft.com/v1.0/users/${ID.toUpperCase()}`, 'user'],
    [`/groups/${ID}/transitiveMembers`, 'group'],
    [`/beta/groups/${ID}/members`, 'group'],
    [`/beta/roleManagement/directory/roleAssignments?$filter=roleDefinitionId eq '${ID}'`, 'role'],
    [`/roleManagement/directory/roleAssignments?$filter=roleDefinitionId%20eq%20'${ID}'`, 'role'],
  ])('%s is a %s reviewer with its id', (query, kind) => {
    expect(parseReviewerQuery(query)).toEqual({ kind, id: ID });
  });

  test.each([
    `/groups/${ID}/owners`,
    `/users/${ID}/manager`,
    '/users/not-a-guid',
    `/roleManagement/directory/roleAssignments?$filter=principalId eq '${ID}'`,
    '',
  ])('%s is not read as a user, group or role', (query) => {
    expect(parseReviewerQuery(query)).toEqual({ kind: 'other', id: '' });
  });

  test('the words for each, with a name or by id', () => {
    expect(reviewerText({ kind: 'user', id: ID, name: 'Adele Admin' })).toBe('Adele Admin');
    expect(reviewerText({ kind: 'user', id: ID })).toBe(`the user ${ID}`);
    expect(reviewerText({ kind: 'group', id: ID, name: 'Helpdesk' })).toBe('members of the group Helpdesk');
    expect(reviewerText({ kind: 'role', id: GA, name: 'Global Administrator' })).toBe(
      'everyone with the role Global Administrator',
    );
  });
});

describe("the portal's Admin consent requests per cloud", () => {
  test('worldwide: the Entra admin center, in the tenant; elsewhere the cloud’s Azure portal', () => {
    const blade = '#view/Microsoft_AAD_IAM/StartboardApplicationsMenuBlade/~/AccessRequests';
    expect(adminConsentRequestsUrl('global', ID)).toBe(`https://entra.microsoft.com/${ID}/${blade}`);
    expect(adminConsentRequestsUrl('usgovhigh', ID)).toBe(`https://portal.azure.us/${blade}`);
    expect(adminConsentRequestsUrl('dod', ID)).toBe(`https://portal.azure.us/${blade}`);
    expect(adminConsentRequestsUrl('china', ID)).toBe(`https://portal.azure.cn/${blade}`);
  });
});
