// Secrets on command lines are not sent to the server. The services and dependencies documents carry
// each socket owner's command line, and they are shown to every API reader; the agent's own
// connection to the server is one of them, so `ept agent --token <token>` would publish its own token.
// Redacted: the value of a secret-named flag (`--token X`, `--db-password=X`), of a secret-named
// `NAME=value` argument (`EPT_TOKEN=X` after `env`), and the password of a URL (`https://u:X@host`).

export const REDACTED = '***';

/** A flag whose value is a secret: its last word is token, password, passwd, pwd, secret, apikey or credentials. */
const SECRET_FLAG = /^--?(?:[\w.]+[-_.])?(?:token|password|passwd|pwd|secret|api[-_]?key|apikey|credentials?)$/i;
const SECRET_FLAG_EQ = /^(--?(?:[\w.]+[-_.])?(?:token|password|passwd|pwd|secret|api[-_]?key|apikey|credentials?))=.+$/i;
const SECRET_ENV = /^([A-Za-z_][\w]*(?:TOKEN|PASSWORD|PASSWD|SECRET|API_?KEY|CREDENTIALS?))=.+$/i;
const URL_PASSWORD = /^([a-z][\w+.-]*:\/\/[^/@:\s]*):[^/@\s]+@/i;

/** /proc/<pid>/cmdline (NUL-separated) with secret values replaced by ***; same separators. */
export function redactCmdline(raw: string): string {
  if (raw === '') return raw;
  const args = raw.split('\0');
  let changed = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (SECRET_FLAG.test(a) && i + 1 < args.length && args[i + 1] !== '') {
      args[i + 1] = REDACTED;
      changed = true;
      i++;
      continue;
    }
    const eq = SECRET_FLAG_EQ.exec(a) ?? SECRET_ENV.exec(a);
    const out = eq ? `${eq[1]}=${REDACTED}` : a.replace(URL_PASSWORD, `$1:${REDACTED}@`);
    if (out !== a) {
      args[i] = out;
      changed = true;
    }
  }
  return changed ? args.join('\0') : raw;
}
