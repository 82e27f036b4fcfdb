// Client subcommands: talk to a running server's HTTP API; tables by default, --json for scripts.
import type { Command } from 'commander';
import { EptError } from '../core/errors.js';
import { PER_ENDPOINT_KINDS } from '../store/store.js';
import { ApiClient, query, seg } from './api-client.js';
import { watchBuild } from './build-progress.js';
import type { CliIo } from './cli-io.js';
import {
  formatTime,
  table,
  formatEndpointDetail,
  formatEndpoints,
  formatFabric,
  formatFabrics,
  formatFindings,
  formatHistory,
  formatSettings,
  formatStatus,
  parseSetting,
  type EndpointDetailLike,
  type EndpointItem,
  type FabricItem,
  type FindingListItem,
  type HistoryItem,
  type StatusLike,
} from './format.js';

type Page<T> = { items: T[]; nextCursor: string | null };

/** Global options every client command sees. */
export interface ClientGlobals {
  server?: string;
  token?: string;
  user?: string;
  password?: string;
  json?: boolean;
}

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

/** The API client a command uses: flags > EPT_SERVER/EPT_TOKEN > defaults. */
export function clientFor(g: ClientGlobals, io: CliIo): ApiClient {
  const token = g.token ?? (g.user ? undefined : io.env.token);
  return new ApiClient({ server: g.server ?? io.env.server ?? DEFAULT_SERVER, ...(token ? { token } : {}), ...(g.user ? { user: g.user } : {}), ...(g.password ? { password: g.password } : {}) });
}

function collect(value: string, prev: string[]): string[] {
  return [...prev, value];
}

function settingsDoc(sets: string[]): Record<string, unknown> {
  return Object.fromEntries(sets.map(parseSetting));
}

/** Runs an action with the command's globals, client and output choice. */
function act<A extends unknown[]>(io: CliIo, fn: (ctx: { g: ClientGlobals; client: ApiClient; show: (data: unknown, human: () => string) => void }, ...args: A) => Promise<void>) {
  return async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    const g = cmd.optsWithGlobals<ClientGlobals & Record<string, unknown>>();
    const client = clientFor(g, io);
    const show = (data: unknown, human: () => string) => io.out(g.json ? JSON.stringify(data, null, 2) : human());
    await fn({ g, client, show }, ...(args.slice(0, -1) as A));
  };
}

export function addClientCommands(program: Command, io: CliIo): void {
  program
    .command('login')
    .description('log in with --user and --password and print a token (export it as EPT_TOKEN)')
    .action(
      act(io, async ({ g, client, show }) => {
        if (!g.user || !g.password) throw new EptError('bad_request', 'login needs --user and --password');
        const r = await client.login(g.user, g.password);
        show(r, () => r.token);
      }),
    );

  program
    .command('status')
    .description('server health and every fabric state')
    .action(
      act(io, async ({ client, show }) => {
        const health = await client.getPublic<{ status: string }>('/healthz');
        const fabrics = await client.get<Page<FabricItem>>('/api/v1/fabrics');
        show({ health, fabrics: fabrics.items }, () => `server ${client.server}: ${health.status}\n${formatFabrics(fabrics.items)}`);
      }),
    );

  addFabricCommands(program, io);
  addEndpointCommands(program, io);
  addAgentTokenCommands(program, io);
  addActionCommands(program, io);

  for (const [name, kind] of [['moves', 'move'], ['offsubnets', 'offsubnet'], ['stales', 'stale'], ['rapids', 'rapid']] as const) {
    const cmd = program
      .command(`${name} <fabric>`)
      .description(`${kind} records of a fabric, newest first`)
      .option('--search <addr>', 'MAC or IP, or a prefix');
    // Move and rapid records are per endpoint: only offsubnet and stale records are per node.
    if (!PER_ENDPOINT_KINDS.includes(kind)) cmd.option('--node <id>', 'only records about this node');
    cmd
      .option('--limit <n>', 'records per page', '100')
      .option('--cursor <c>', 'nextCursor of a previous page')
      .action(
        act(io, async ({ client, show }, fabric: string, o: { search?: string; node?: string; limit: string; cursor?: string }) => {
          const p = await client.get<Page<FindingListItem>>(`/api/v1/fabrics/${seg(fabric)}/${name}${query({ search: o.search, node: o.node, limit: o.limit, cursor: o.cursor })}`);
          show(p, () => formatFindings(kind, p.items) + (p.nextCursor ? `\nmore: --cursor ${p.nextCursor}` : ''));
        }),
      );
  }

  program
    .command('search <q>')
    .description('find a MAC or IP (any form, or a prefix) across all fabrics')
    .option('--limit <n>', 'results per page', '100')
    .action(
      act(io, async ({ client, show }, q: string, o: { limit: string }) => {
        const p = await client.get<Page<EndpointItem>>(`/api/v1/search${query({ q, limit: o.limit })}`);
        show(p, () => formatEndpoints(p.items, true));
      }),
    );
}

function addFabricCommands(program: Command, io: CliIo): void {
  const fabric = program.command('fabric').description('configure and control fabrics');

  fabric
    .command('add <name>')
    .description('add a fabric')
    .requiredOption('--apic <url>', 'APIC URL (repeat for each controller)', collect, [])
    .requiredOption('--apic-user <name>', 'APIC username')
    .requiredOption('--apic-password <password>', 'APIC password')
    .option('--no-verify-tls', 'accept any APIC certificate')
    .option('--ca-file <path>', 'PEM of the CA that signed the APIC certificate')
    .option('--no-auto-start', 'do not start it now and on server start')
    .option('--set <name=value>', 'setting override (repeatable)', collect, [])
    .action(
      act(io, async ({ client, show }, name: string, o: { apic: string[]; apicUser: string; apicPassword: string; verifyTls: boolean; caFile?: string; autoStart: boolean; set: string[] }) => {
        const apic = { urls: o.apic, username: o.apicUser, password: o.apicPassword, verifyTls: o.verifyTls, ...(o.caFile ? { caFile: o.caFile } : {}) };
        const f = await client.request<FabricItem>('POST', '/api/v1/fabrics', { name, apic, settings: settingsDoc(o.set), autoStart: o.autoStart });
        show(f, () => formatFabric(f));
      }),
    );

  fabric.command('list').description('list fabrics').action(
    act(io, async ({ client, show }) => {
      const p = await client.get<Page<FabricItem>>('/api/v1/fabrics');
      show(p.items, () => formatFabrics(p.items));
    }),
  );

  fabric.command('show <name>').description('show a fabric').action(
    act(io, async ({ client, show }, name: string) => {
      const f = await client.get<FabricItem>(`/api/v1/fabrics/${seg(name)}`);
      show(f, () => formatFabric(f));
    }),
  );

  fabric
    .command('start <name>')
    .description('start a fabric')
    .option('--wait', 'follow the build until the fabric is running')
    .action(
      act(io, async ({ g, client, show }, name: string, o: { wait?: boolean }) => {
        let s = await client.request<StatusLike>('POST', `/api/v1/fabrics/${seg(name)}/start`);
        if (o.wait) s = await watchBuild(client, name, { bars: io.isTty && !g.json });
        show(s, () => formatStatus(s));
      }),
    );

  fabric.command('stop <name>').description('stop a fabric').action(
    act(io, async ({ client, show }, name: string) => {
      const s = await client.request<StatusLike>('POST', `/api/v1/fabrics/${seg(name)}/stop`);
      show(s, () => formatStatus(s));
    }),
  );

  fabric
    .command('status <name>')
    .description('live status of a fabric')
    .option('--watch', 'follow the build until the fabric is running')
    .action(
      act(io, async ({ g, client, show }, name: string, o: { watch?: boolean }) => {
        const s = o.watch ? await watchBuild(client, name, { bars: io.isTty && !g.json }) : await client.get<StatusLike>(`/api/v1/fabrics/${seg(name)}/status`);
        show(s, () => formatStatus(s));
      }),
    );

  fabric.command('delete <name>').description('delete a fabric and all its data').action(
    act(io, async ({ client, show }, name: string) => {
      await client.request('DELETE', `/api/v1/fabrics/${seg(name)}`);
      show({ deleted: name }, () => `fabric '${name}' deleted`);
    }),
  );

  fabric
    .command('settings <name>')
    .description('show settings, or change them with --set name=value (name=null drops an override)')
    .option('--set <name=value>', 'setting to change (repeatable)', collect, [])
    .action(
      act(io, async ({ client, show }, name: string, o: { set: string[] }) => {
        if (o.set.length) await client.request('PATCH', `/api/v1/fabrics/${seg(name)}`, { settings: settingsDoc(o.set) });
        const [view, schema] = await Promise.all([
          client.get<{ settings: Record<string, unknown>; overridden: string[] }>(`/api/v1/fabrics/${seg(name)}/settings`),
          client.get<{ items: { name: string; default: unknown }[] }>('/api/v1/settings/schema'),
        ]);
        show(view, () => formatSettings(view, schema.items));
      }),
    );
}

function addEndpointCommands(program: Command, io: CliIo): void {
  const endpoint = program.command('endpoint').description('look at endpoints');

  endpoint.command('show <fabric> <vnid> <addr>').description('location, per-node learns, flags and findings of one endpoint').action(
    act(io, async ({ client, show }, fabric: string, vnid: string, addr: string) => {
      const d = await client.get<EndpointDetailLike>(`/api/v1/fabrics/${seg(fabric)}/endpoints/${seg(vnid)}/${seg(addr)}`);
      show(d, () => formatEndpointDetail(d));
    }),
  );

  endpoint
    .command('history <fabric> <vnid> <addr>')
    .description('history of one endpoint, newest first')
    .option('--limit <n>', 'events', '100')
    .action(
      act(io, async ({ client, show }, fabric: string, vnid: string, addr: string, o: { limit: string }) => {
        const p = await client.get<Page<HistoryItem>>(`/api/v1/fabrics/${seg(fabric)}/endpoints/${seg(vnid)}/${seg(addr)}/history${query({ limit: o.limit })}`);
        show(p.items, () => formatHistory(p.items));
      }),
    );

  endpoint
    .command('list <fabric>')
    .description('list endpoints of a fabric')
    .option('--search <addr>', 'MAC or IP in any form, or a prefix')
    .option('--flag <flag>', 'offsubnet | stale | rapid | deleted | active')
    .option('--type <type>', 'mac | ipv4 | ipv6')
    .option('--limit <n>', 'endpoints per page', '100')
    .option('--cursor <c>', 'nextCursor of a previous page')
    .action(
      act(io, async ({ client, show }, fabric: string, o: { search?: string; flag?: string; type?: string; limit: string; cursor?: string }) => {
        const p = await client.get<Page<EndpointItem>>(`/api/v1/fabrics/${seg(fabric)}/endpoints${query({ search: o.search, flag: o.flag, type: o.type, limit: o.limit, cursor: o.cursor })}`);
        show(p, () => formatEndpoints(p.items) + (p.nextCursor ? `\nmore: --cursor ${p.nextCursor}` : ''));
      }),
    );
}

interface ClearItem {
  id: number;
  ts: number;
  who: string;
  reason: string;
  addr: string;
  vnid: number;
  nodes: number[];
  outcome: string;
  results: { node: number; command: string; ok: boolean; output: string; error?: string }[];
}

interface AuditItem {
  id: number;
  ts: number;
  who: string;
  action: string;
  fabric: string | null;
  outcome: string;
  details: Record<string, unknown>;
}

function formatClear(c: ClearItem): string {
  const head = `clear #${c.id} of ${c.addr} (vnid ${c.vnid}) on ${c.nodes.join(',')}: ${c.outcome} — by ${c.who}: ${c.reason}`;
  const rows = c.results.map((r) => [String(r.node), r.ok ? 'ok' : 'FAILED', r.command, (r.error ? `${r.error} ` : '') + r.output.trim()]);
  return `${head}\n${table(['node', 'result', 'command', 'output'], rows)}`;
}

/** Notifications, clears and the audit log. */
function addActionCommands(program: Command, io: CliIo): void {
  const fabric = program.commands.find((c) => c.name() === 'fabric');
  const endpoint = program.commands.find((c) => c.name() === 'endpoint');
  if (!fabric || !endpoint) throw new EptError('internal', 'fabric and endpoint commands must be added first');

  fabric
    .command('notifications <fabric>')
    .description('show notification settings, change them with --set name=value (name=null drops one), or --test a channel')
    .option('--set <name=value>', 'setting to change (repeatable)', collect, [])
    .option('--test <channel>', 'send a test message: syslog | email | webhook')
    .action(
      act(io, async ({ client, show }, name: string, o: { set: string[]; test?: string }) => {
        const path = `/api/v1/fabrics/${seg(name)}/notifications`;
        if (o.set.length) {
          // Start from the stored overrides (secrets come back redacted and are kept as they are).
          const cur = await client.get<{ overrides: Record<string, unknown> }>(path);
          const next: Record<string, unknown> = { ...cur.overrides };
          for (const [k, v] of o.set.map(parseSetting)) {
            if (v === null) delete next[k];
            else next[k] = v;
          }
          await client.request('PUT', path, next);
        }
        if (o.test) {
          const r = await client.request<{ ok: boolean; channel: string; attempts: number; detail?: string; error?: string }>('POST', `${path}/test`, { channel: o.test });
          if (!r.ok) throw new EptError('conflict', `test through ${r.channel} failed: ${r.error ?? 'no detail'}`, r);
          show(r, () => `test message sent through ${r.channel}${r.detail ? `: ${r.detail}` : ''}`);
          return;
        }
        const view = await client.get<{ settings: Record<string, unknown>; overridden: string[] }>(path);
        show(view, () => formatSettings(view));
      }),
    );

  endpoint
    .command('clear <fabric> <vnid> <addr>')
    .description('clear an endpoint on fabric nodes (admin); recorded with --reason')
    .option('--nodes <ids>', 'comma-separated node ids, e.g. 101,102')
    .option('--all-stale', 'every node with a confirmed stale learn')
    .option('--all-offsubnet', 'every node with a confirmed offsubnet learn')
    .option('--reason <text>', 'why (required, recorded)')
    .option('--dry-run', 'record what would be done without doing it')
    .action(
      act(io, async ({ client, show }, fab: string, vnid: string, addr: string, o: { nodes?: string; allStale?: boolean; allOffsubnet?: boolean; reason?: string; dryRun?: boolean }) => {
        const choices = [o.nodes !== undefined, o.allStale === true, o.allOffsubnet === true].filter(Boolean).length;
        if (choices !== 1) throw new EptError('bad_request', 'endpoint clear needs exactly one of --nodes, --all-stale, --all-offsubnet');
        if (!o.reason) throw new EptError('bad_request', 'endpoint clear needs --reason');
        let nodes: number[] | 'all-stale' | 'all-offsubnet' = o.allStale ? 'all-stale' : 'all-offsubnet';
        if (o.nodes !== undefined) {
          nodes = o.nodes.split(',').map((n) => Number(n.trim()));
          if (nodes.some((n) => !Number.isInteger(n) || n <= 0)) throw new EptError('bad_request', `--nodes ${o.nodes}: expected node ids like 101,102`);
        }
        const r = await client.request<ClearItem>('POST', `/api/v1/fabrics/${seg(fab)}/endpoints/${seg(vnid)}/${seg(addr)}/clear`, { nodes, reason: o.reason, dryRun: o.dryRun === true });
        show(r, () => formatClear(r));
        // The record is shown either way; the exit status tells scripts the clear did not fully work.
        if (r.outcome === 'failed' || r.outcome === 'partial') throw new EptError('conflict', `clear #${r.id} ${r.outcome}`);
      }),
    );

  endpoint
    .command('clears <fabric>')
    .description('clears recorded for a fabric, newest first')
    .option('--limit <n>', 'clears per page', '20')
    .option('--cursor <c>', 'nextCursor of a previous page')
    .action(
      act(io, async ({ client, show }, fab: string, o: { limit: string; cursor?: string }) => {
        const p = await client.get<Page<ClearItem>>(`/api/v1/fabrics/${seg(fab)}/clears${query({ limit: o.limit, cursor: o.cursor })}`);
        show(p, () => p.items.map((c) => `${formatTime(c.ts)}  ${formatClear(c)}`).join('\n\n') + (p.nextCursor ? `\nmore: --cursor ${p.nextCursor}` : ''));
      }),
    );

  program
    .command('audit')
    .description('the audit log: configuration changes and actions, newest first (admin)')
    .option('--fabric <name>', 'only entries about this fabric')
    .option('--limit <n>', 'entries per page', '100')
    .option('--cursor <c>', 'nextCursor of a previous page')
    .action(
      act(io, async ({ client, show }, o: { fabric?: string; limit: string; cursor?: string }) => {
        const p = await client.get<Page<AuditItem>>(`/api/v1/audit${query({ fabric: o.fabric, limit: o.limit, cursor: o.cursor })}`);
        const rows = p.items.map((e) => [formatTime(e.ts), e.who, e.action, e.fabric ?? '', e.outcome, JSON.stringify(e.details)]);
        show(p, () => table(['time', 'who', 'action', 'fabric', 'outcome', 'details'], rows) + (p.nextCursor ? `\nmore: --cursor ${p.nextCursor}` : ''));
      }),
    );
}

/** `ept agent-token create|list|revoke`: per-agent tokens for the ingest API (admin). */
function addAgentTokenCommands(program: Command, io: CliIo): void {
  type AgentItem = { id: string; name: string; site: string; hostId: string | null; createdTs: number; revokedTs: number | null };
  const tokens = program.command('agent-token').description('issue, list and revoke host agent tokens');
  tokens
    .command('create <name>')
    .description('issue a token for an agent (printed once: store it on the host)')
    .option('--site <name>', 'site its ARP/ND observations are tracked in', 'default')
    .action(
      act(io, async ({ client, show }, name: string, o: { site: string }) => {
        const r = await client.request<AgentItem & { token: string }>('POST', '/api/v1/agents', { name, site: o.site });
        show(r, () => `agent ${r.name} (${r.id}), site ${r.site}\ntoken (shown once): ${r.token}`);
      }),
    );
  tokens.command('list').description('list agents and their tokens\' state').action(
    act(io, async ({ client, show }) => {
      const r = await client.get<{ items: AgentItem[] }>('/api/v1/agents');
      show(r.items, () =>
        table(
          ['id', 'name', 'site', 'host', 'created', 'state'],
          r.items.map((a) => [a.id, a.name, a.site, a.hostId ?? '-', new Date(a.createdTs).toISOString(), a.revokedTs === null ? 'valid' : `revoked ${new Date(a.revokedTs).toISOString()}`]),
        ),
      );
    }),
  );
  tokens.command('revoke <id>').description('revoke an agent token').action(
    act(io, async ({ client, show }, id: string) => {
      await client.request('DELETE', `/api/v1/agents/${seg(id)}`);
      show({ revoked: id }, () => `revoked ${id}`);
    }),
  );
}
