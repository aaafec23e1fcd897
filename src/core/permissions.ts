/**
 * Who may do what (contract: "Who may do what"). Pure: given the person, the workflow's policy and
 * the release, say yes (null) or name the rule that refuses.
 */
import type { LoadedConfig, Person, Workflow } from '../config/types.ts';
import type { Verb } from './command.ts';

export interface Refusal {
  rule: string;
  message: string;
}

export interface PermissionSubject {
  workflow?: Workflow;
  /** The release's requester (a person name, or "config-file"). */
  requester?: string;
  /** The gate said needs_cost_approval: a finance person may approve too. */
  needsCostApproval?: boolean;
}

const isAdmin = (p: Person) => p.roles.includes('admin');
const isFinance = (p: Person) => p.roles.includes('finance');

export function isTeamMember(config: LoadedConfig, person: Person, teamName: string): boolean {
  return config.teams[teamName]?.members.includes(person.name) ?? false;
}

export function isTeamLeader(config: LoadedConfig, person: Person, teamName: string): boolean {
  return config.teams[teamName]?.leaders.includes(person.name) ?? false;
}

/** Members of the workflow's team, its approvers and admins. */
export function mayOperate(config: LoadedConfig, person: Person, wf: Workflow): boolean {
  return isTeamMember(config, person, wf.team) || wf.approvers.includes(person.name) || isAdmin(person);
}

/** Team members, leaders, approvers, finance and admins. */
export function mayRead(config: LoadedConfig, person: Person, wf: Workflow | undefined, team?: string): boolean {
  if (isAdmin(person) || isFinance(person)) return true;
  const teamName = wf?.team ?? team;
  if (!teamName) return false;
  if (isTeamMember(config, person, teamName) || isTeamLeader(config, person, teamName)) return true;
  if (wf) return wf.approvers.includes(person.name);
  // Reading a whole team's figures: approvers of any of its workflows may too.
  return Object.values(config.workflows).some((w) => w.team === teamName && w.approvers.includes(person.name));
}

/**
 * May `person` use `verb` on `subject`? `person` undefined is an unknown chat user: they may read
 * help and status and nothing more.
 */
export function checkPermission(
  config: LoadedConfig,
  person: Person | undefined,
  verb: Verb,
  subject: PermissionSubject,
): Refusal | null {
  if (verb === 'help' || verb === 'status') return null;
  if (!person)
    return {
      rule: 'unknown_user',
      message: 'you are not a person in the ai-release configuration: you may use help and status only',
    };
  const wf = subject.workflow;
  const name = person.name;
  switch (verb) {
    case 'request':
    case 'evals':
    case 'promote':
    case 'pause':
    case 'resume':
    case 'rollback':
    case 'ack':
      if (wf && mayOperate(config, person, wf)) return null;
      return {
        rule: 'team_member',
        message: `${verb} on ${wf?.name ?? 'this workflow'} is for members of team ${wf?.team ?? '?'}, its approvers and admins`,
      };
    case 'vote':
      if (subject.requester === name)
        return { rule: 'four_eyes', message: 'the requester may not vote on the human review of their own release' };
      if (wf && (isTeamMember(config, person, wf.team) || wf.approvers.includes(name))) return null;
      return { rule: 'team_member', message: `human-review votes on ${wf?.name ?? 'this workflow'} are for members of team ${wf?.team ?? '?'} and its approvers` };
    case 'cancel':
      if (subject.requester === name || isAdmin(person)) return null;
      return { rule: 'requester_or_admin', message: 'only the requester or an admin may cancel a release' };
    case 'approve':
    case 'reject':
      if (!wf || !(wf.approvers.includes(name) || (subject.needsCostApproval && isFinance(person))))
        return { rule: 'approver', message: `${verb} on ${wf?.name ?? 'this workflow'} is for its approvers (${wf?.approvers.join(', ') ?? ''})` };
      if (subject.requester === name)
        return { rule: 'four_eyes', message: `four-eyes: the requester may not ${verb} their own release` };
      return null;
    case 'override':
      if (isAdmin(person)) return null;
      return { rule: 'admin', message: 'override is for admins' };
    case 'spend':
    case 'receipts':
    case 'audit':
    case 'review':
      if (mayRead(config, person, wf)) return null;
      return {
        rule: 'reader',
        message: `${verb} is for team members, leaders, approvers, finance and admins${wf ? ` of ${wf.name}` : ''}`,
      };
  }
}

/** Finance people who may give the cost approval: finance role, not the requester. */
export function mayGiveCostApproval(person: Person, requester: string): boolean {
  return isFinance(person) && person.name !== requester;
}
