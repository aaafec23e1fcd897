import { renderAdaptiveCard } from '../src/chat/render/adaptive.ts';
import { renderBlockKit } from '../src/chat/render/blockkit.ts';
import { renderBlockKitCards } from '../src/chat/render/blockkit.ts';
import { fixedInput, everyCard, statusSample, spendLines, digestSample, reviewPairs, releaseViewSample } from '../scripts/bench/card-samples.ts';
import { statusCard } from '../src/core/views/status.ts';
import { spendCard } from '../src/core/views/spend.ts';
import { receiptsCard, auditCard } from '../src/core/views/lists.ts';
import { digestCard } from '../src/core/views/digest.ts';
import { reviewCard } from '../src/core/views/review.ts';
import { releaseCard } from '../src/core/views/release.ts';
import { resultCard } from '../src/core/views/common.ts';
import { receiptLines, auditLines } from '../scripts/bench/card-samples.ts';
function textLen(v: any): number { let n = 0; const walk = (x: any, key?: string) => { if (typeof x === 'string') { if (key === 'text') n += x.length; return; } if (Array.isArray(x)) x.forEach((y) => walk(y, key)); else if (x && typeof x === 'object') for (const [k, y] of Object.entries(x)) walk(y, k); }; walk(v); return n; }
const cfg: any = { people: {} };
const rows: any[] = [];
function m(name: string, card: any) { const s = renderBlockKit(card); const t = JSON.stringify(renderAdaptiveCard(card)).length; rows.push([name, s.blocks.length, textLen(s.blocks), t]); }
for (const n of [30, 50, 100, 1000]) {
  const i = fixedInput(n, 600);
  m(`receipts ${n}`, receiptsCard('support-triage', receiptLines(i), i.now));
  m(`audit ${n}`, auditCard('support-triage', auditLines(i), { ok: true, text: 'chain verified' }, i.now));
  m(`spend ${n}`, spendCard({label:'all teams',command:'spend --days 7'}, 7, spendLines(i), { totalUsd: 1, evalUsd: 1 }));
  m(`status ${n}`, statusCard(statusSample(i), false));
  m(`digest ${n}`, digestCard(digestSample(i)));
}
for (const n of [5, 20]) { const i = fixedInput(n, 600); m(`review ${n} pairs`, reviewCard({ releaseKey: 'REL-3', workflow: 'support-triage', team: 'support', requester: 'eli', required: true, pairs: reviewPairs(i) })); }
{ const i = fixedInput(60, 300); const e = renderBlockKitCards( [resultCard('REL-3 approved', 'dana approved REL-3'), releaseCard(releaseViewSample(i))]); rows.push(['ephemeral result+release', e.blocks.length, textLen(e.blocks), 0]); }
console.log(rows.map((r) => r.join('\t')).join('\n'));
