/** Human review of sampled baseline/candidate pairs. */
import type { VoteChoice } from '../core/command.ts';
import type { Db } from './db.ts';

export interface ReviewPair {
  pair: number;
  caseId: string;
  repeat: number;
}

export interface ReviewTally {
  pairs: number;
  voted: number;
  candidateWorse: number;
  candidateBetter: number;
  ties: number;
}

export function saveReviewPairs(db: Db, releaseId: number, gateRun: number, pairs: { caseId: string; repeat: number }[]): void {
  const ins = db.prepare('INSERT OR REPLACE INTO review_pairs (release_id, gate_run, pair, case_id, repeat) VALUES (?, ?, ?, ?, ?)');
  pairs.forEach((p, i) => ins.run(releaseId, gateRun, i + 1, p.caseId, p.repeat));
}

export function listReviewPairs(db: Db, releaseId: number, gateRun: number): ReviewPair[] {
  return (
    db
      .prepare('SELECT pair, case_id, repeat FROM review_pairs WHERE release_id = ? AND gate_run = ? ORDER BY pair')
      .all(releaseId, gateRun) as { pair: number; case_id: string; repeat: number }[]
  ).map((r) => ({ pair: r.pair, caseId: r.case_id, repeat: r.repeat }));
}

export function recordVote(db: Db, releaseId: number, gateRun: number, pair: number, person: string, choice: VoteChoice, now: number): void {
  db.prepare(
    `INSERT INTO review_votes (release_id, gate_run, pair, person, choice, at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT(release_id, gate_run, pair, person) DO UPDATE SET choice = excluded.choice, at = excluded.at`,
  ).run(releaseId, gateRun, pair, person, choice, now);
}

/**
 * One verdict per pair: the majority of its votes (ties and no majority count as a tie).
 * A pair counts as voted when it has at least one vote.
 */
export function reviewTally(db: Db, releaseId: number, gateRun: number): ReviewTally {
  const pairs = listReviewPairs(db, releaseId, gateRun);
  const votes = db
    .prepare('SELECT pair, choice FROM review_votes WHERE release_id = ? AND gate_run = ?')
    .all(releaseId, gateRun) as { pair: number; choice: VoteChoice }[];
  const tally: ReviewTally = { pairs: pairs.length, voted: 0, candidateWorse: 0, candidateBetter: 0, ties: 0 };
  for (const p of pairs) {
    const mine = votes.filter((v) => v.pair === p.pair);
    if (mine.length === 0) continue;
    tally.voted++;
    const better = mine.filter((v) => v.choice === 'candidate').length;
    const worse = mine.filter((v) => v.choice === 'baseline').length;
    if (worse > better) tally.candidateWorse++;
    else if (better > worse) tally.candidateBetter++;
    else tally.ties++;
  }
  return tally;
}
