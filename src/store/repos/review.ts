/** Human review of sampled baseline/candidate pairs. */
import type { VoteChoice } from '../../core/command.ts';
import type { SqlExecutor } from '../sql.ts';

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

export interface ReviewRepo {
  /** The pairs of one gate run, numbered from 1 in the order given. */
  savePairs(releaseId: number, gateRun: number, pairs: readonly { caseId: string; repeat: number }[]): Promise<void>;
  listPairs(releaseId: number, gateRun: number): Promise<ReviewPair[]>;
  /** A person's vote on a pair (a second vote replaces the first). */
  recordVote(releaseId: number, gateRun: number, pair: number, person: string, choice: VoteChoice, now: number): Promise<void>;
  /**
   * One verdict per pair: the majority of its votes (ties and no majority count as a tie).
   * A pair counts as voted when it has at least one vote.
   */
  tally(releaseId: number, gateRun: number): Promise<ReviewTally>;
}

export function sqlReview(db: SqlExecutor): ReviewRepo {
  const listPairs = async (releaseId: number, gateRun: number): Promise<ReviewPair[]> =>
    (
      await db.all<{ pair: number; case_id: string; repeat: number }>(
        'SELECT pair, case_id, repeat FROM review_pairs WHERE release_id = ? AND gate_run = ? ORDER BY pair',
        [releaseId, gateRun],
      )
    ).map((r) => ({ pair: r.pair, caseId: r.case_id, repeat: r.repeat }));
  return {
    async savePairs(releaseId, gateRun, pairs) {
      for (const [i, p] of pairs.entries())
        await db.run(
          `INSERT INTO review_pairs (release_id, gate_run, pair, case_id, repeat) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (release_id, gate_run, pair) DO UPDATE SET case_id = excluded.case_id, repeat = excluded.repeat`,
          [releaseId, gateRun, i + 1, p.caseId, p.repeat],
        );
    },
    listPairs,
    async recordVote(releaseId, gateRun, pair, person, choice, now) {
      await db.run(
        `INSERT INTO review_votes (release_id, gate_run, pair, person, choice, at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (release_id, gate_run, pair, person) DO UPDATE SET choice = excluded.choice, at = excluded.at`,
        [releaseId, gateRun, pair, person, choice, now],
      );
    },
    async tally(releaseId, gateRun) {
      const pairs = await listPairs(releaseId, gateRun);
      const votes = await db.all<{ pair: number; choice: VoteChoice }>('SELECT pair, choice FROM review_votes WHERE release_id = ? AND gate_run = ?', [releaseId, gateRun]);
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
    },
  };
}
