/** `ai-release token create|revoke|list`: the token is printed once; only its sha256 is stored. */
import { loadConfigOrThrow, openSettingsStore, type Settings } from '../app.ts';
import { EXIT } from '../chat/executor.ts';
import type { TokenScope } from '../store/repos/tokens.ts';
import type { CliIo } from './main.ts';
import { takeFlag } from './main.ts';

const USAGE = `usage: ai-release token create --name N --scopes gateway --team T
       ai-release token create --name N --scopes releases --person P
       ai-release token revoke --name N
       ai-release token list`;

export async function tokenCli(argv: string[], settings: Settings, io: CliIo): Promise<number> {
  const [sub, ...rest0] = argv;
  const bad = (msg: string) => {
    io.err(`${msg}\n${USAGE}`);
    return EXIT.usage;
  };
  if (sub !== 'create' && sub !== 'revoke' && sub !== 'list') return bad(sub ? `unknown token command "${sub}"` : 'token needs a command');
  let rest = rest0;
  const flag = (n: string) => {
    const f = takeFlag(rest, n);
    rest = f.rest;
    return typeof f.value === 'string' ? f.value : undefined;
  };
  const name = flag('name');
  const scopes = flag('scopes') ?? flag('scope');
  const team = flag('team');
  const person = flag('person');
  if (rest.length) return bad(`unexpected argument ${rest[0]}`);
  const store = await openSettingsStore(settings);
  try {
    await store.migrate();
    if (sub === 'list') {
      for (const t of await store.tokens.list())
        io.out(`${t.name}\t${t.scope}\t${t.team ?? t.person ?? ''}\t${t.revokedAt ? 'revoked' : 'active'}`);
      return EXIT.ok;
    }
    if (!name) return bad('--name is required');
    if (sub === 'revoke') {
      const ok = await store.tx(async (t) => {
        const done = await t.tokens.revoke(name, Date.now());
        if (done) await t.audit.append({ ts: Date.now(), actor: 'operator', action: 'token_revoked', data: { name } });
        return done;
      });
      if (!ok) {
        io.err(`no active token named "${name}"`);
        return EXIT.failed;
      }
      io.out(`revoked ${name}`);
      return EXIT.ok;
    }
    if (scopes !== 'gateway' && scopes !== 'releases') return bad('--scopes must be gateway or releases');
    const config = loadConfigOrThrow(settings.configPath, io.env);
    if (scopes === 'gateway') {
      if (!team || person) return bad('a gateway token is bound to a team: --team T (and no --person)');
      if (!config.teams[team]) return bad(`unknown team "${team}" (known: ${Object.keys(config.teams).join(', ')})`);
    } else {
      if (!person || team) return bad('a releases token is bound to a person: --person P (and no --team)');
      if (!config.people[person]) return bad(`unknown person "${person}" (known: ${Object.keys(config.people).join(', ')})`);
    }
    const token = await store.tx(async (t) => {
      if (await t.tokens.nameTaken(name)) return null;
      const now = Date.now();
      const tok = await t.tokens.create({ name, scope: scopes as TokenScope, team, person, now });
      await t.audit.append({ ts: now, actor: 'operator', action: 'token_created', data: { name, scope: scopes, team: team ?? null, person: person ?? null } });
      return tok;
    });
    if (!token) {
      io.err(`a token named "${name}" exists already`);
      return EXIT.refused;
    }
    io.out(token);
    io.err(`token ${name} (${scopes}, ${team ? `team ${team}` : `person ${person}`}) created: it is shown once; only its hash is stored`);
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
