/** The Teams app package: a zip whose manifest validates against the schema it names, with the icons Teams requires. */
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { buildTeamsPackage, validateManifest } from '../../scripts/teams-package.ts';
import { colorIcon, outlineIcon } from '../../scripts/teams-icons.ts';
import { tempDir } from '../helpers/harness.ts';

const APP_ID = '0B5F3C1E-1111-4000-8000-000000000ABC';
const DEVELOPER = {
  TEAMS_DEVELOPER_NAME: 'Northwind IT',
  TEAMS_DEVELOPER_URL: 'https://northwind.example/ai-release',
  TEAMS_PRIVACY_URL: 'https://northwind.example/privacy',
  TEAMS_TERMS_URL: 'https://northwind.example/terms',
};

describe('teams:package', () => {
  it('writes a zip with a filled manifest that validates, and both icons', () => {
    const out = buildTeamsPackage({ appId: APP_ID, version: '1.2.3', env: DEVELOPER });
    if (!out.ok) throw new Error(out.message);
    const files = unzipSync(out.zip);
    expect(Object.keys(files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(new TextDecoder().decode(files['manifest.json']));
    expect(validateManifest(manifest)).toEqual([]);
    expect(manifest.id).toBe(APP_ID.toLowerCase());
    expect(manifest.version).toBe('1.2.3');
    const bot = manifest.bots[0];
    expect(bot.botId).toBe(APP_ID.toLowerCase());
    expect(bot.scopes.sort()).toEqual(['groupChat', 'personal', 'team']);
    const commands = bot.commandLists[0].commands.map((c: { title: string }) => c.title);
    for (const verb of ['help', 'status', 'request', 'approve', 'promote', 'rollback', 'spend']) expect(commands).toContain(verb);
    expect(JSON.stringify(manifest)).not.toContain('{{');
    expect(manifest.developer).toEqual({ name: 'Northwind IT', websiteUrl: DEVELOPER.TEAMS_DEVELOPER_URL, privacyUrl: DEVELOPER.TEAMS_PRIVACY_URL, termsOfUseUrl: DEVELOPER.TEAMS_TERMS_URL });
  });

  it('refuses to ship made-up publisher URLs: names each variable to set, and wants https', () => {
    const none = buildTeamsPackage({ appId: APP_ID, version: '1.0.0', env: {} });
    expect(!none.ok && none.message).toMatch(/^TEAMS_DEVELOPER_URL, TEAMS_PRIVACY_URL, TEAMS_TERMS_URL are not set/);
    const one = buildTeamsPackage({ appId: APP_ID, version: '1.0.0', env: { ...DEVELOPER, TEAMS_PRIVACY_URL: '' } });
    expect(!one.ok && one.message).toMatch(/^TEAMS_PRIVACY_URL is not set/);
    const http = buildTeamsPackage({ appId: APP_ID, version: '1.0.0', env: { ...DEVELOPER, TEAMS_TERMS_URL: 'http://northwind.example/terms' } });
    expect(!http.ok && http.message).toMatch(/TEAMS_TERMS_URL must be an https URL/);
  });

  it('the schema check catches a broken manifest', () => {
    const out = buildTeamsPackage({ appId: APP_ID, version: '1.0.0', env: DEVELOPER });
    if (!out.ok) throw new Error(out.message);
    const broken = structuredClone(out.manifest) as any;
    delete broken.bots[0].scopes;
    broken.accentColour = '#fff';
    const problems = validateManifest(broken);
    expect(problems.join('\n')).toMatch(/scopes/);
    expect(problems.join('\n')).toMatch(/accentColour/);
  });

  it('refuses without a GUID app id, saying which variable', () => {
    const none = buildTeamsPackage({ appId: undefined, version: '1.0.0' });
    expect(none.ok).toBe(false);
    expect(!none.ok && none.message).toMatch(/MICROSOFT_APP_ID is not set/);
    const bad = buildTeamsPackage({ appId: 'my-bot', version: '1.0.0' });
    expect(!bad.ok && bad.message).toMatch(/MICROSOFT_APP_ID must be a GUID .*"my-bot"/);
  });

  it('the script writes dist-style output and exits 1 with the message when the id is missing', () => {
    const dir = tempDir('air-teams-pkg-');
    const file = join(dir, 'ai-release-teams.zip');
    const env = { ...process.env, ...DEVELOPER, MICROSOFT_APP_ID: APP_ID };
    execFileSync(process.execPath, ['--import', 'tsx', 'scripts/teams-package.ts', file], { env, stdio: 'pipe' });
    expect(Object.keys(unzipSync(readFileSync(file)))).toContain('manifest.json');
    let stderr = '';
    let status = 0;
    try {
      execFileSync(process.execPath, ['--import', 'tsx', 'scripts/teams-package.ts', file], { env: { ...process.env, MICROSOFT_APP_ID: '' }, stdio: 'pipe' });
    } catch (e: any) {
      status = e.status;
      stderr = String(e.stderr);
    }
    expect(status).toBe(1);
    expect(stderr).toMatch(/MICROSOFT_APP_ID is not set/);
  });
});

describe('Teams icons', () => {
  it('colour is 192×192 and opaque; outline is 32×32, white on transparent; the committed files match the script', () => {
    const color = PNG.sync.read(colorIcon());
    expect([color.width, color.height]).toEqual([192, 192]);
    const outline = PNG.sync.read(outlineIcon());
    expect([outline.width, outline.height]).toEqual([32, 32]);
    let white = 0;
    let clear = 0;
    for (let i = 0; i < outline.data.length; i += 4) {
      const [r, g, b, a] = [outline.data[i], outline.data[i + 1], outline.data[i + 2], outline.data[i + 3]];
      if (a === 0) clear++;
      else {
        expect([r, g, b]).toEqual([255, 255, 255]);
        white++;
      }
    }
    expect(white).toBeGreaterThan(0);
    expect(clear).toBeGreaterThan(0);
    for (let i = 3; i < color.data.length; i += 4) expect(color.data[i]).toBe(255);
    expect(readFileSync('manifests/teams/color.png').equals(colorIcon())).toBe(true);
    expect(readFileSync('manifests/teams/outline.png').equals(outlineIcon())).toBe(true);
  });
});
