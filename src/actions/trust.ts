import {
  describeCommands,
  isApproved,
  recordApproval,
  revokeApprovals,
  trustStorePath,
  trustSubject,
} from '../io/trust.js';
import type { Reporter } from '../output/reporter.js';
import { openContext } from './context.js';

export interface TrustArgs {
  dryRun: boolean;
  revoke: boolean;
}

/**
 * `git parallel trust`: shows the commands the repository's config would run (setup, hooks, agents,
 * check) and records the user's approval of exactly these, in the user's own config folder. `--dry-run`
 * only shows them and whether they are approved; `--revoke` forgets this repository's approvals.
 */
export async function trust(
  args: TrustArgs,
  io: { cwd: string; env: NodeJS.ProcessEnv; reporter: Reporter },
): Promise<void> {
  const { reporter, env } = io;
  const context = await openContext(io.cwd, env, (line) => reporter.warn(line));
  const subject = await trustSubject(context.loaded, context.repo.mainRoot);
  const summary = {
    repository: subject.repository,
    file: subject.file,
    hash: subject.hash,
    commands: subject.commands,
  };

  if (args.revoke) {
    const count = args.dryRun ? 0 : await revokeApprovals(env, subject.repository);
    reporter.document({ ...summary, revoked: count, dryRun: args.dryRun });
    reporter.info(
      args.dryRun
        ? `Would forget the approvals of ${subject.repository}.`
        : `Forgot ${count} approval${count === 1 ? '' : 's'} of ${subject.repository}.`,
    );
    return;
  }
  if (subject.commands.length === 0) {
    reporter.document({ ...summary, approved: true, dryRun: args.dryRun });
    reporter.info(
      `${subject.file ?? 'This repository has no git-parallel config; it'} defines no commands: nothing to approve.`,
    );
    return;
  }
  const approved = await isApproved(env, subject);
  reporter.print(`${subject.file} defines these commands:`);
  for (const line of describeCommands(subject)) reporter.print(line);
  // --json reads: a script asking what the commands are must not approve them by asking (issue 11).
  if (args.dryRun || reporter.json) {
    reporter.document({ ...summary, approved, dryRun: args.dryRun });
    reporter.info(
      approved ? 'They are approved.' : 'They are not approved yet: git parallel trust approves them.',
    );
    return;
  }
  await recordApproval(env, subject, new Date());
  reporter.document({ ...summary, approved: true, dryRun: false });
  reporter.info(
    `Approved for ${subject.repository} (recorded in ${trustStorePath(env)}); a change to any of them asks again.`,
  );
}
