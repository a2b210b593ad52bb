import path from 'node:path';
import { readIfExists } from './files.js';

/**
 * Whether an agent is ready for unattended candidates in this repository: signed in (or a key in the
 * environment), and this repository already trusted, so no first-run dialog stops N panes at once.
 * Read from each agent's own files in HOME, the keys the real-agent suite sets up the same way
 * (test/real-agents/world.ts). `null` means this agent has no such step, or we cannot tell.
 */
export interface AgentSetup {
  signedIn: boolean | null;
  trusted: boolean | null;
  /** The one-time steps still to do, for people. */
  steps: string[];
}

interface Where {
  home: string;
  env: NodeJS.ProcessEnv;
  /** The main repository: Claude Code, Codex and Copilot keep trust at its path for every worktree. */
  repoRoot: string;
  /** Where the run's worktrees go: Gemini asks again for every new folder, unless their parent is trusted. */
  worktreeParent: string;
}

export async function readAgentSetup(executable: string, where: Where): Promise<AgentSetup | null> {
  const { home, env } = where;
  const json = async (file: string) => parseJson(await readIfExists(file));
  switch (executable) {
    case 'claude': {
      const state = await json(path.join(env.CLAUDE_CONFIG_DIR ?? home, '.claude.json'));
      const key = env.ANTHROPIC_API_KEY;
      const approved = asArray(asObject(state?.customApiKeyResponses)?.approved);
      const signedIn =
        Boolean(asObject(state?.oauthAccount)) ||
        (await readIfExists(path.join(home, '.claude', '.credentials.json'))) !== null ||
        (key !== undefined && approved.includes(key.slice(-20)));
      const project = asObject(asObject(state?.projects)?.[where.repoRoot]);
      const trusted = project?.hasTrustDialogAccepted === true;
      return result(signedIn, trusted, [
        key && !signedIn ? 'run claude once and accept ANTHROPIC_API_KEY' : 'run claude once and sign in',
        `run claude once in ${where.repoRoot} and answer "Yes, I trust this folder"`,
      ]);
    }
    case 'codex': {
      const codexHome = env.CODEX_HOME ?? path.join(home, '.codex');
      const signedIn = (await readIfExists(path.join(codexHome, 'auth.json'))) !== null;
      const config = (await readIfExists(path.join(codexHome, 'config.toml'))) ?? '';
      const trusted = codexTrusts(config, where.repoRoot);
      return result(signedIn, trusted, [
        'run codex login (or printenv OPENAI_API_KEY | codex login --with-api-key)',
        `run codex once in ${where.repoRoot} and trust the folder`,
      ]);
    }
    case 'gemini': {
      const settings = await json(path.join(home, '.gemini', 'settings.json'));
      const auth = asObject(asObject(settings?.security)?.auth)?.selectedType;
      const signedIn = typeof auth === 'string' && auth !== '';
      const folders = asObject(await json(path.join(home, '.gemini', 'trustedFolders.json'))) ?? {};
      const trusted = geminiTrusts(folders, where.worktreeParent);
      return result(signedIn, trusted, [
        'run gemini once and choose how to sign in (GEMINI_API_KEY, or Google)',
        `in a worktree's first gemini start choose "Trust parent folder" (${where.worktreeParent})`,
      ]);
    }
    case 'opencode': {
      const dataHome = env.XDG_DATA_HOME ?? path.join(home, '.local', 'share');
      const auth = asObject(await json(path.join(dataHome, 'opencode', 'auth.json')));
      const keys = ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'GEMINI_API_KEY', 'OPENROUTER_API_KEY'];
      const signedIn = (auth !== null && Object.keys(auth).length > 0) || keys.some((k) => env[k]);
      // opencode asks no trust question.
      return result(signedIn, null, [
        'run opencode auth login (or set a provider key such as ANTHROPIC_API_KEY)',
      ]);
    }
    case 'copilot': {
      const config = parseJson(
        stripLineComments(await readIfExists(path.join(home, '.copilot', 'config.json'))),
      );
      const signedIn =
        Boolean(
          env.COPILOT_PROVIDER_BASE_URL || env.COPILOT_GITHUB_TOKEN || env.GH_TOKEN || env.GITHUB_TOKEN,
        ) || asArray(config?.loggedInUsers).length > 0;
      // Copilot runs in the worktrees and trusts a remembered folder with everything inside it.
      const trusted = asArray(config?.trustedFolders).some(
        (folder) => typeof folder === 'string' && isInside(where.worktreeParent, folder),
      );
      return result(signedIn, trusted, [
        'run copilot once and /login (or set COPILOT_GITHUB_TOKEN)',
        `add ${where.worktreeParent} to trustedFolders in ~/.copilot/config.json (or answer "Yes, and remember this folder" once)`,
      ]);
    }
    default:
      return null;
  }
}

function result(
  signedIn: boolean,
  trusted: boolean | null,
  [signIn, trust]: (string | undefined)[],
): AgentSetup {
  const steps: string[] = [];
  if (!signedIn && signIn) steps.push(signIn);
  if (trusted === false && trust) steps.push(trust);
  return { signedIn, trusted, steps };
}

/** `[projects."<path>"]` followed by `trust_level = "trusted"` in Codex's config.toml. */
export function codexTrusts(config: string, repoRoot: string): boolean {
  const sections = config.split(/^\s*\[/m);
  return sections.some((section) => {
    const header = section.match(/^projects\.(?:"((?:[^"\\]|\\.)*)"|'([^']*)')\]/);
    if (!header) return false;
    const folder = header[1] !== undefined ? (JSON.parse(`"${header[1]}"`) as string) : header[2]!;
    return folder === repoRoot && /^\s*trust_level\s*=\s*"trusted"\s*$/m.test(section);
  });
}

/** Gemini trusts a folder inside a TRUST_FOLDER entry, or inside the parent of a TRUST_PARENT one. */
export function geminiTrusts(folders: Record<string, unknown>, folder: string): boolean {
  return Object.entries(folders).some(([entry, level]) => {
    if (level === 'TRUST_FOLDER') return isInside(folder, entry);
    if (level === 'TRUST_PARENT') return isInside(folder, path.dirname(entry));
    return false;
  });
}

function isInside(folder: string, ancestor: string): boolean {
  const relative = path.relative(ancestor, folder);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

function parseJson(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  try {
    return asObject(JSON.parse(text));
  } catch {
    return null;
  }
}

/** Copilot's config.json starts with `//` comment lines. */
function stripLineComments(text: string | null): string | null {
  return text === null ? null : text.replace(/^\s*\/\/.*$/gm, '');
}

function asObject(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
