/**
 * Which kind of token a step was given. It matters for one GitHub rule: events caused by the
 * workflow's own GITHUB_TOKEN (a push, a pull request it opens) start no workflow runs, so a
 * retraining PR opened with it never runs the pull-request flow. A GitHub App installation
 * token or a personal access token does not have that limit.
 *
 * The rule, in order:
 * 1. The token equals the workflow's own token → `workflow`. The action learns that token from
 *    its internal `workflow-token` input, whose default is `${{ github.token }}` (the runner
 *    evaluates it as it does `github-token`'s default), or from env GITHUB_TOKEN when a workflow
 *    exported it.
 * 2. Otherwise by GitHub's token prefixes: `ghs_` is an installation token (a GitHub App's, e.g.
 *    from actions/create-github-app-token) → `app`; `ghp_`, `github_pat_`, `gho_`, `ghu_` act as
 *    a user → `personal`; anything else → `unknown`.
 * 3. When the workflow token was not known (step 1 had nothing to compare with), what the token
 *    wrote tells: GitHub authors it as `github-actions[bot]` → `workflow` (`byAuthor`).
 */

export type TokenKind = 'workflow' | 'app' | 'personal' | 'unknown';

/** The login GitHub gives everything the workflow's GITHUB_TOKEN writes. */
export const WORKFLOW_TOKEN_LOGIN = 'github-actions[bot]';

/** Steps 1 and 2 of the rule: before any API call. */
export function classifyToken(token: string, workflowTokens: (string | undefined)[]): TokenKind {
  if (workflowTokens.some((t) => t !== undefined && t !== '' && t === token)) return 'workflow';
  if (token.startsWith('ghs_')) return 'app';
  if (/^(ghp_|github_pat_|gho_|ghu_)/.test(token)) return 'personal';
  return 'unknown';
}

/** Step 3: a token of kind `app` whose writes GitHub authors as github-actions[bot] is the workflow's. */
export function byAuthor(kind: TokenKind, authorLogin: string | undefined): TokenKind {
  return authorLogin?.toLowerCase() === WORKFLOW_TOKEN_LOGIN ? 'workflow' : kind;
}

/**
 * What to tell the user when the retraining PR was opened with the workflow token: why its
 * pull-request flow does not run, and how to pass a token whose events start workflows.
 */
export function workflowTokenNotice(action = 'modelship/modelship/actions/drift-check@v0'): string {
  return [
    "This pull request was opened with the workflow's default `GITHUB_TOKEN`. GitHub starts no workflow runs for pushes and pull requests made with that token, so the pull-request flow (train, evaluate, gate) does not run on it by itself: close and reopen it, or push to its branch, to start it by hand.",
    '',
    'To have it run on its own, give drift-check a GitHub App installation token (the App needs Contents, Issues and Pull requests: read and write) or a fine-grained personal access token with the same permissions:',
    '',
    '```yaml',
    '- uses: actions/create-github-app-token@v2',
    '  id: app-token',
    '  with:',
    '    app-id: ${{ vars.MODELSHIP_APP_ID }}',
    '    private-key: ${{ secrets.MODELSHIP_APP_PRIVATE_KEY }}',
    `- uses: ${action}`,
    '  with:',
    '    github-token: ${{ steps.app-token.outputs.token }}   # or ${{ secrets.MODELSHIP_PAT }}',
    '```',
  ].join('\n');
}
