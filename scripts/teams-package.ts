/**
 * `npm run teams:package`: the Teams app package to upload (Teams admin center or "Upload a custom
 * app"). Fills `{{MICROSOFT_APP_ID}}` (the bot's app id, a GUID), `{{VERSION}}` (package.json) and
 * the publisher shown on the app's page — `TEAMS_DEVELOPER_URL`, `TEAMS_PRIVACY_URL`,
 * `TEAMS_TERMS_URL` (https, required: no package ships made-up URLs) and `TEAMS_DEVELOPER_NAME`
 * (default "ai-release") — in manifests/teams/manifest.json, validates it against the Teams
 * manifest schema it names, and zips it with the two icons into dist/ai-release-teams.zip.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv } from 'ajv';
import { zipSync } from 'fflate';

export const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const MANIFEST_DIR = 'manifests/teams';
export const PACKAGE_FILE = 'dist/ai-release-teams.zip';

export type PackageResult = { ok: true; zip: Uint8Array; manifest: Record<string, unknown> } | { ok: false; message: string };

/** The Teams JSON schema of a manifest version, from @microsoft/app-manifest. */
export function manifestSchema(manifestVersion: string): Record<string, unknown> {
  const require = createRequire(import.meta.url);
  const file = require.resolve(`@microsoft/app-manifest/build/json-schemas/teams/v${manifestVersion}/MicrosoftTeams.schema.json`);
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

/**
 * Problems with a manifest, as `path: message` lines (none: valid). The Teams schemas declare
 * draft-04 but use nothing draft-04-only (no boolean exclusiveMinimum/Maximum, no `id`), so
 * Ajv 8's default class reads them with the `$schema` line removed.
 */
export function validateManifest(manifest: Record<string, unknown>): string[] {
  const version = String(manifest.manifestVersion ?? '');
  let schema: Record<string, unknown>;
  try {
    schema = manifestSchema(version);
  } catch {
    return [`manifestVersion: no Teams schema for version "${version}"`];
  }
  const { $schema: _draft, ...body } = schema;
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const validate = ajv.compile(body);
  if (validate(manifest)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? 'invalid'}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
}

/** The publisher Teams shows on the app's page: the variables that set it. */
export const DEVELOPER_VARS = ['TEAMS_DEVELOPER_URL', 'TEAMS_PRIVACY_URL', 'TEAMS_TERMS_URL'] as const;

/** Builds the package from the template folder; refuses with a clear message instead of a bad zip. */
export function buildTeamsPackage(opts: { appId: string | undefined; version: string; dir?: string; env?: NodeJS.ProcessEnv }): PackageResult {
  const env = opts.env ?? {};
  const appId = opts.appId?.trim();
  if (!appId)
    return { ok: false, message: 'MICROSOFT_APP_ID is not set: set it to the bot\'s Microsoft App ID (a GUID, from the Azure Bot resource or the Teams Developer Portal) and run again' };
  if (!GUID_RE.test(appId)) return { ok: false, message: `MICROSOFT_APP_ID must be a GUID like 00000000-0000-0000-0000-000000000000 (got "${appId}")` };
  const missing = DEVELOPER_VARS.filter((v) => !env[v]?.trim());
  if (missing.length)
    return {
      ok: false,
      message: `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set: Teams shows your organisation's website, privacy and terms pages on the app's page; set them to https URLs (and TEAMS_DEVELOPER_NAME to your organisation's name) and run again`,
    };
  const bad = DEVELOPER_VARS.filter((v) => !/^https:\/\/[^\s"]+$/.test(env[v]!.trim()));
  if (bad.length) return { ok: false, message: bad.map((v) => `${v} must be an https URL (got "${env[v]}")`).join('; ') };
  const name = env.TEAMS_DEVELOPER_NAME?.trim() || 'ai-release';
  if (name.length > 32 || /["\\]/.test(name)) return { ok: false, message: `TEAMS_DEVELOPER_NAME must be at most 32 characters, without quotes or backslashes (got "${name}")` };
  const dir = resolve(opts.dir ?? MANIFEST_DIR);
  const template = readFileSync(join(dir, 'manifest.json'), 'utf8');
  const filled = template
    .replaceAll('{{MICROSOFT_APP_ID}}', appId.toLowerCase())
    .replaceAll('{{VERSION}}', opts.version)
    .replaceAll('{{TEAMS_DEVELOPER_NAME}}', name)
    .replaceAll('{{TEAMS_DEVELOPER_URL}}', env.TEAMS_DEVELOPER_URL!.trim())
    .replaceAll('{{TEAMS_PRIVACY_URL}}', env.TEAMS_PRIVACY_URL!.trim())
    .replaceAll('{{TEAMS_TERMS_URL}}', env.TEAMS_TERMS_URL!.trim());
  const left = /\{\{([A-Z_]+)\}\}/.exec(filled);
  if (left) return { ok: false, message: `manifest.json has a placeholder this script does not fill: {{${left[1]}}}` };
  const manifest = JSON.parse(filled) as Record<string, unknown>;
  const problems = validateManifest(manifest);
  if (problems.length) return { ok: false, message: `manifest.json does not validate against the Teams schema v${String(manifest.manifestVersion)}:\n${problems.map((p) => `  ${p}`).join('\n')}` };
  const icons = manifest.icons as { color: string; outline: string };
  const zip = zipSync({
    'manifest.json': new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`),
    [icons.color]: readFileSync(join(dir, icons.color)),
    [icons.outline]: readFileSync(join(dir, icons.outline)),
  });
  return { ok: true, zip, manifest };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
  const out = buildTeamsPackage({ appId: process.env.MICROSOFT_APP_ID, version, env: process.env });
  if (!out.ok) {
    process.stderr.write(`teams:package: ${out.message}\n`);
    process.exit(1);
  }
  const file = resolve(process.argv[2] ?? PACKAGE_FILE);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, out.zip);
  process.stdout.write(`wrote ${file} (manifest v${String(out.manifest.manifestVersion)}, app id ${String(out.manifest.id)}): upload it in Teams → Apps → Manage your apps → Upload an app\n`);
}
