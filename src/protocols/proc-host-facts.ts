// Host facts from /etc/os-release, /proc/cpuinfo, /proc/meminfo, /proc/stat, /proc/<pid>/status
// and /etc/passwd. Pure text parsers; missing fields give empty values, never a throw.

/** /etc/os-release: KEY=value lines, values optionally quoted. */
export function parseOsRelease(text: string): { name: string; version: string } {
  const kv = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) kv.set(m[1] as string, unquote(m[2] as string));
  }
  return { name: kv.get('NAME') ?? kv.get('ID') ?? '', version: kv.get('VERSION') ?? kv.get('VERSION_ID') ?? '' };
}

function unquote(v: string): string {
  const q = v[0];
  if ((q === '"' || q === "'") && v.endsWith(q) && v.length >= 2) return v.slice(1, -1).replace(/\\(["'$`\\])/g, '$1');
  return v;
}

/** /proc/cpuinfo: the first model name (x86 "model name", arm "Hardware"/"CPU part") and the number of processors. */
export function parseCpuinfo(text: string): { model: string; cores: number } {
  let model = '';
  let cores = 0;
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    const key = line.slice(0, i).trim();
    if (key === 'processor') cores++;
    else if (!model && (key === 'model name' || key === 'Hardware' || key === 'cpu model' || key === 'cpu')) model = line.slice(i + 1).trim();
  }
  return { model, cores };
}

/** /proc/meminfo MemTotal in bytes (0 when absent). */
export function parseMeminfoTotal(text: string): number {
  const m = /^MemTotal:\s+(\d+)\s*kB/m.exec(text);
  return m ? Number(m[1]) * 1024 : 0;
}

/** /proc/stat btime: boot time in seconds since the epoch (0 when absent). */
export function parseBootTime(text: string): number {
  const m = /^btime\s+(\d+)/m.exec(text);
  return m ? Number(m[1]) : 0;
}

/** Real uid from a /proc/<pid>/status "Uid:" line, or undefined. */
export function parseStatusUid(text: string): number | undefined {
  const m = /^Uid:\s+(\d+)/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** /etc/passwd: uid → user name. */
export function parsePasswd(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 3 || line.startsWith('#')) continue;
    const uid = Number(f[2]);
    if (Number.isInteger(uid) && !out.has(uid)) out.set(uid, f[0] as string);
  }
  return out;
}

/** /proc/<pid>/cmdline: NUL-separated arguments to one line. */
export function formatCmdline(raw: string): string {
  return raw.replace(/\0+$/, '').replaceAll('\0', ' ');
}
