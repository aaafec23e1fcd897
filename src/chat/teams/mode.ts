/**
 * Whether Teams is on, and how it authenticates, from the environment: `MICROSOFT_APP_ID` (with
 * `MICROSOFT_APP_PASSWORD`, `MICROSOFT_APP_TENANT_ID`, `MICROSOFT_APP_TYPE`) or `TEAMS_LOCAL=true`.
 */
export type AppType = 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';

export interface TeamsAuth {
  appId: string;
  password?: string;
  tenantId?: string;
  appType: AppType;
}

export type TeamsMode = { kind: 'off' } | { kind: 'local' } | { kind: 'authenticated'; auth: TeamsAuth };

export const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const APP_TYPES: AppType[] = ['MultiTenant', 'SingleTenant', 'UserAssignedMSI'];

/** The mode, or every problem with the Teams variables (a user's mistake: start-up refuses). */
export function teamsModeFromEnv(env: NodeJS.ProcessEnv): { ok: true; mode: TeamsMode } | { ok: false; problems: string[] } {
  const appId = env.MICROSOFT_APP_ID?.trim();
  if (!appId) {
    if (env.TEAMS_LOCAL === 'true') return { ok: true, mode: { kind: 'local' } };
    return { ok: true, mode: { kind: 'off' } };
  }
  const problems: string[] = [];
  if (!GUID_RE.test(appId)) problems.push(`MICROSOFT_APP_ID must be the bot's app id, a GUID like 00000000-0000-0000-0000-000000000000 (got "${appId}")`);
  const typeRaw = env.MICROSOFT_APP_TYPE?.trim() || 'MultiTenant';
  const appType = APP_TYPES.find((t) => t.toLowerCase() === typeRaw.toLowerCase());
  if (!appType) problems.push(`MICROSOFT_APP_TYPE must be one of ${APP_TYPES.join(', ')} (got "${typeRaw}")`);
  const password = env.MICROSOFT_APP_PASSWORD || undefined;
  const tenantId = env.MICROSOFT_APP_TENANT_ID?.trim() || undefined;
  if (appType !== 'UserAssignedMSI' && !password) problems.push('MICROSOFT_APP_PASSWORD is required with MICROSOFT_APP_ID (the bot registration\'s client secret)');
  if ((appType === 'SingleTenant' || appType === 'UserAssignedMSI') && !tenantId) problems.push(`MICROSOFT_APP_TENANT_ID is required when MICROSOFT_APP_TYPE is ${appType}`);
  if (tenantId && !GUID_RE.test(tenantId)) problems.push(`MICROSOFT_APP_TENANT_ID must be a GUID (got "${tenantId}")`);
  if (problems.length) return { ok: false, problems };
  return { ok: true, mode: { kind: 'authenticated', auth: { appId, password, tenantId, appType: appType! } } };
}
