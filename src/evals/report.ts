/**
 * The `eval run --report` file: the verdict with its working (one row per rule), spend, and every
 * case × repeat with both variants' outcome, reasons and outputs — as Markdown or HTML.
 */
import type { GateVerdict } from '../core/gate.ts';
import { formatRuleValue, formatRuleDelta } from '../core/views/release.ts';
import type { RunResult } from './runner.ts';

export interface ReportInput {
  workflow: string;
  baseline: { hash: string; model: string };
  candidate: { hash: string; model: string };
  verdict: GateVerdict;
  baselineRuns: RunResult[];
  candidateRuns: RunResult[];
  stats: { runs: number; cachedRuns: number; upstreamCalls: number; evalCostUsd: number; criticCostUsd: number };
  generatedAt: number;
}

interface Row {
  caseId: string;
  repeat: number;
  b: RunResult | undefined;
  c: RunResult | undefined;
}

const OUTCOME: Record<string, string> = { pass: 'pass', fail: 'FAIL', info: 'info', cost_approval: 'cost approval' };

function pairRows(input: ReportInput): Row[] {
  const key = (r: RunResult) => `${r.caseId}\u0000${r.repeat}`;
  const rows = new Map<string, Row>();
  for (const r of [...input.baselineRuns, ...input.candidateRuns]) {
    const row = rows.get(key(r)) ?? { caseId: r.caseId, repeat: r.repeat, b: undefined, c: undefined };
    if (r.variant === 'baseline') row.b = r;
    else row.c = r;
    rows.set(key(r), row);
  }
  // Natural order, so case-2 comes before case-10.
  return [...rows.values()].sort((x, y) => x.caseId.localeCompare(y.caseId, 'en', { numeric: true }) || x.repeat - y.repeat);
}

function runStatus(r: RunResult | undefined): string {
  if (!r) return 'missing';
  if (r.error) return `error: ${r.error}`;
  const estimated = r.usageEstimated ? ' · no usage reported: tokens estimated from the text' : '';
  return `${r.passed ? 'pass' : `fail (score ${r.score.toFixed(2)})`}${estimated}`;
}

function failedReasons(r: RunResult | undefined): string {
  if (!r) return '';
  return r.details.filter((d) => !d.pass).map((d) => d.reason).join('; ');
}

const usd = (x: number) => `$${x.toFixed(4)}`;

function header(input: ReportInput): string[] {
  return [
    `workflow: ${input.workflow}`,
    `baseline: ${input.baseline.model} (${input.baseline.hash})`,
    `candidate: ${input.candidate.model} (${input.candidate.hash})`,
    `runs: ${input.stats.runs} (${input.stats.cachedRuns} from the cache), upstream calls: ${input.stats.upstreamCalls}`,
    `eval spend: ${usd(input.stats.evalCostUsd)} + critic ${usd(input.stats.criticCostUsd)}`,
    `generated: ${new Date(input.generatedAt).toISOString()}`,
  ];
}

const mdCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

export function markdownReport(input: ReportInput): string {
  const v = input.verdict;
  const out: string[] = [`# Eval gate: ${input.workflow} — ${v.outcome.replace(/_/g, ' ')}`, '', v.summary, ''];
  out.push(...header(input).map((l) => `- ${l}`), '');
  out.push('## Rules', '', '| rule | baseline | candidate | delta | limit | test | outcome |', '|---|---|---|---|---|---|---|');
  for (const r of v.rows) {
    out.push(`| ${mdCell(r.metric)} | ${formatRuleValue(r.rule, r.baseline)} | ${formatRuleValue(r.rule, r.candidate)} | ${formatRuleDelta(r.rule, r.delta)} | ${mdCell(r.limit)} | ${mdCell(r.test)} | ${OUTCOME[r.outcome]} |`);
  }
  out.push('', '## Runs', '', '| case | repeat | baseline | candidate | candidate failures |', '|---|---|---|---|---|');
  for (const row of pairRows(input)) {
    out.push(`| ${mdCell(row.caseId)} | ${row.repeat} | ${mdCell(runStatus(row.b))} | ${mdCell(runStatus(row.c))} | ${mdCell(failedReasons(row.c))} |`);
  }
  out.push('', '## Outputs', '');
  for (const row of pairRows(input)) {
    out.push(`### ${row.caseId} · repeat ${row.repeat}`, '');
    for (const [label, r] of [['baseline', row.b], ['candidate', row.c]] as const) {
      out.push(`${label} — ${runStatus(r)}`, '', '```', (r?.output ?? r?.error ?? '(no output)').replace(/```/g, "'''"), '```', '');
    }
  }
  return out.join('\n');
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function htmlReport(input: ReportInput): string {
  const v = input.verdict;
  const rules = v.rows
    .map(
      (r) =>
        `<tr class="${r.outcome}"><td>${esc(r.metric)}</td><td>${esc(formatRuleValue(r.rule, r.baseline))}</td><td>${esc(formatRuleValue(r.rule, r.candidate))}</td>` +
        `<td>${esc(formatRuleDelta(r.rule, r.delta))}</td><td>${esc(r.limit)}</td><td>${esc(r.test)}</td><td>${esc(OUTCOME[r.outcome]!)}</td></tr>`,
    )
    .join('\n');
  const runs = pairRows(input)
    .map(
      (row) =>
        `<tr><td>${esc(row.caseId)}</td><td>${row.repeat}</td><td>${esc(runStatus(row.b))}</td><td>${esc(runStatus(row.c))}</td><td>${esc(failedReasons(row.c))}</td>` +
        `<td><details><summary>outputs</summary><pre>${esc(row.b?.output ?? row.b?.error ?? '')}</pre><pre>${esc(row.c?.output ?? row.c?.error ?? '')}</pre></details></td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Eval gate: ${esc(input.workflow)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem}table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
tr.fail td{background:#fde2e2}tr.cost_approval td{background:#fff4d6}pre{white-space:pre-wrap;max-width:40rem}</style></head>
<body>
<h1>Eval gate: ${esc(input.workflow)} — ${esc(v.outcome.replace(/_/g, ' '))}</h1>
<p>${esc(v.summary)}</p>
<ul>${header(input).map((l) => `<li>${esc(l)}</li>`).join('')}</ul>
<h2>Rules</h2>
<table><tr><th>rule</th><th>baseline</th><th>candidate</th><th>delta</th><th>limit</th><th>test</th><th>outcome</th></tr>
${rules}
</table>
<h2>Runs</h2>
<table><tr><th>case</th><th>repeat</th><th>baseline</th><th>candidate</th><th>candidate failures</th><th></th></tr>
${runs}
</table>
</body></html>
`;
}
