// Client subcommands: talk to a running server's HTTP API; tables by default, --json for scripts.
import type { Command } from 'commander';
import { EptError } from '../core/errors.js';
import { ApiClient, query, seg } from './api-client.js';
import { watchBuild } from './build-progress.js';
import type { CliIo } from './cli-io.js';
import {
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

  for (const [name, kind] of [['moves', 'move'], ['offsubnets', 'offsubnet'], ['stales', 'stale'], ['rapids', 'rapid']] as const) {
    program
      .command(`${name} <fabric>`)
      .description(`${kind} records of a fabric, newest first`)
      .option('--search <addr>', 'MAC or IP, or a prefix')
      .option('--node <id>', 'only records about this node')
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
