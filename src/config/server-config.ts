// Server configuration: CLI flags > EPT_* environment > config file (YAML or JSON) > defaults,
// validated once into a frozen object. The only place in ept that reads process.env.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parse as parseYaml } from 'yaml';
import { EptError } from '../core/errors.js';
import { PIPELINE_DEFAULTS } from '../pipeline/pipeline-defaults.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Everything `ept server` needs to start. */
export interface ServerConfig {
  /** Directory of the SQLite file and other state. */
  readonly dataDir: string;
  /** Listen address; 127.0.0.1 by default so a fresh install is not exposed until asked (--host 0.0.0.0). */
  readonly host: string;
  readonly port: number;
  readonly logLevel: LogLevel;
  /** Run the built-in simulated fabric when no fabric is configured. */
  readonly demo: boolean;
  /** Password of the first admin user; generated and printed once when absent. */
  readonly adminPassword: string | undefined;
  /** Lifetime of API tokens, seconds. */
  readonly tokenTtl: number;
  /** Partitions of the endpoint key space (default 2 per core). */
  readonly partitions: number;
  /** Events per worker write batch. */
  readonly batchSize: number;
  /** Capacity of each partition queue, events. */
  readonly queueCapacity: number;
  /** The config file that was read, or null. */
  readonly configFile: string | null;
}

/** The CLI flags `ept server` understands (commander's camelCase names). */
export interface ServerFlags {
  dataDir?: string;
  host?: string;
  port?: string | number;
  logLevel?: string;
  /** Only false is meaningful (--no-demo); leave undefined when the flag was not given. */
  demo?: boolean;
  config?: string;
}

/** Inputs of loadServerConfig. */
export interface LoadServerConfigOptions {
  flags?: ServerFlags;
  /** Environment to read EPT_* from; defaults to process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Config file path when neither --config nor EPT_CONFIG names one. */
  configFile?: string;
  /** Cores to size partitions by (defaults to the machine's). */
  cores?: number;
}

type Key = Exclude<keyof ServerConfig, 'configFile'>;
type Kind = 'string' | 'port' | 'int' | 'bool' | 'level';

/** Each setting: how it is parsed, its environment variable and flag. */
const FIELDS: Record<Key, { kind: Kind; env: string; flag?: keyof ServerFlags; min?: number; max?: number }> = {
  dataDir: { kind: 'string', env: 'EPT_DATA_DIR', flag: 'dataDir' },
  host: { kind: 'string', env: 'EPT_HOST', flag: 'host' },
  port: { kind: 'port', env: 'EPT_PORT', flag: 'port', min: 1, max: 65535 },
  logLevel: { kind: 'level', env: 'EPT_LOG_LEVEL', flag: 'logLevel' },
  demo: { kind: 'bool', env: 'EPT_DEMO', flag: 'demo' },
  adminPassword: { kind: 'string', env: 'EPT_ADMIN_PASSWORD' },
  tokenTtl: { kind: 'int', env: 'EPT_TOKEN_TTL', min: 60, max: 365 * 86400 },
  partitions: { kind: 'int', env: 'EPT_PARTITIONS', min: 1, max: 4096 },
  batchSize: { kind: 'int', env: 'EPT_BATCH_SIZE', min: 1, max: 100_000 },
  queueCapacity: { kind: 'int', env: 'EPT_QUEUE_CAPACITY', min: 100, max: 10_000_000 },
};

const FLAG_NAMES: Partial<Record<keyof ServerFlags, string>> = { dataDir: '--data-dir', host: '--host', port: '--port', logLevel: '--log-level', demo: '--no-demo' };

function invalid(source: string, message: string): EptError {
  return new EptError('config_invalid', `${source}: ${message}`, { source });
}

function show(raw: unknown): string {
  return typeof raw === 'string' ? `'${raw}'` : JSON.stringify(raw);
}

/** Parses one raw value (string from env/flags, any JSON value from a file) for a setting. */
function parseValue(key: Key, raw: unknown, source: string): unknown {
  const f = FIELDS[key];
  switch (f.kind) {
    case 'string':
      if (typeof raw !== 'string' || raw === '') throw invalid(source, `must be a non-empty string, got ${show(raw)}`);
      if (key === 'adminPassword' && raw.length < 8) throw invalid(source, 'must be at least 8 characters');
      return raw;
    case 'port':
    case 'int': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isInteger(n) || n < (f.min ?? 0) || n > (f.max ?? Number.MAX_SAFE_INTEGER)) {
        throw invalid(source, `must be an integer between ${f.min} and ${f.max}, got ${show(raw)}`);
      }
      return n;
    }
    case 'bool':
      if (typeof raw === 'boolean') return raw;
      if (typeof raw === 'string' && /^(true|1|yes|on)$/i.test(raw)) return true;
      if (typeof raw === 'string' && /^(false|0|no|off)$/i.test(raw)) return false;
      throw invalid(source, `must be true or false, got ${show(raw)}`);
    case 'level':
      if (typeof raw !== 'string' || !(LOG_LEVELS as readonly string[]).includes(raw)) throw invalid(source, `must be one of ${LOG_LEVELS.join(', ')}, got ${show(raw)}`);
      return raw;
  }
}

/** Reads a YAML or JSON config file into a settings object (keys as in ServerConfig). */
function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw invalid(`config file ${path}`, `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let doc: unknown;
  try {
    doc = text.trim() === '' ? {} : parseYaml(text);
  } catch (err) {
    throw invalid(`config file ${path}`, `is not valid YAML or JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw invalid(`config file ${path}`, 'must be a mapping of setting names to values');
  for (const k of Object.keys(doc)) {
    if (!(k in FIELDS)) throw invalid(`config file ${path}`, `unknown setting '${k}' (known: ${Object.keys(FIELDS).join(', ')})`);
  }
  return doc as Record<string, unknown>;
}

/**
 * Write-behind batch and pipeline queue capacity of `ept server` unless configured. Batches of 5 000:
 * history rows wait for their batch on the heap, and at 20 000 they outlived young-generation GCs
 * and were copied to the old generation; at 1M endpoints the build's peak RSS fell by ~150 MB with
 * no loss of events/s (bench/RESULTS.md, session 3).
 */
export const SERVER_DEFAULTS = PIPELINE_DEFAULTS;

function defaults(cores: number): Record<Key, unknown> {
  return {
    dataDir: './data',
    host: '127.0.0.1',
    port: 8080,
    logLevel: 'info',
    demo: true,
    adminPassword: undefined,
    tokenTtl: 12 * 3600,
    partitions: Math.max(1, 2 * cores),
    batchSize: SERVER_DEFAULTS.batchSize,
    queueCapacity: SERVER_DEFAULTS.queueCapacity,
  };
}

/** Builds the server configuration; throws EptError('config_invalid') naming the setting and its source. */
export function loadServerConfig(opts: LoadServerConfigOptions = {}): ServerConfig {
  const env = opts.env ?? process.env;
  const flags = opts.flags ?? {};
  const configFile = flags.config ?? env['EPT_CONFIG'] ?? opts.configFile ?? null;
  const file = configFile ? readConfigFile(configFile) : {};
  const out = defaults(opts.cores ?? availableParallelism());
  for (const key of Object.keys(FIELDS) as Key[]) {
    const f = FIELDS[key];
    const flagValue = f.flag ? flags[f.flag] : undefined;
    if (flagValue !== undefined) out[key] = parseValue(key, flagValue, FLAG_NAMES[f.flag as keyof ServerFlags] ?? String(f.flag));
    else if (env[f.env] !== undefined) out[key] = parseValue(key, env[f.env], f.env);
    else if (file[key] !== undefined) out[key] = parseValue(key, file[key], `config file ${configFile}: ${key}`);
  }
  return Object.freeze({ ...(out as Omit<ServerConfig, 'configFile'>), configFile });
}

/** CLI client settings from the environment (EPT_SERVER, EPT_TOKEN), so the CLI does not read process.env itself. */
export function clientEnv(env: Readonly<Record<string, string | undefined>> = process.env): { server: string | undefined; token: string | undefined } {
  return { server: env['EPT_SERVER'] || undefined, token: env['EPT_TOKEN'] || undefined };
}
