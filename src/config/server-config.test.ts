import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EptError } from '../core/errors.js';
import { clientEnv, loadServerConfig, type LoadServerConfigOptions } from './server-config.js';

const dir = mkdtempSync(join(tmpdir(), 'ept-config-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function failure(opts: LoadServerConfigOptions): EptError {
  try {
    loadServerConfig({ env: {}, cores: 2, ...opts });
  } catch (err) {
    expect(err).toBeInstanceOf(EptError);
    expect((err as EptError).code).toBe('config_invalid');
    return err as EptError;
  }
  throw new Error('expected a config error');
}

describe('loadServerConfig', () => {
  it('has safe defaults', () => {
    const c = loadServerConfig({ env: {}, cores: 3 });
    expect(c).toEqual({
      dataDir: './data',
      host: '127.0.0.1',
      port: 8080,
      logLevel: 'info',
      demo: true,
      adminPassword: undefined,
      tokenTtl: 43200,
      partitions: 6,
      batchSize: 5_000,
      queueCapacity: 20_000,
      configFile: null,
    });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('takes flags over environment over file over defaults', () => {
    const yaml = file('prec.yaml', 'port: 7000\nhost: 10.0.0.1\nlogLevel: debug\nbatchSize: 64\n');
    const env = { EPT_PORT: '7001', EPT_HOST: '0.0.0.0', EPT_CONFIG: yaml };
    const c = loadServerConfig({ env, flags: { port: '7002' }, cores: 1 });
    expect(c).toMatchObject({ port: 7002, host: '0.0.0.0', logLevel: 'debug', batchSize: 64, partitions: 2, configFile: yaml });
    expect(loadServerConfig({ env, cores: 1 }).port).toBe(7001);
    expect(loadServerConfig({ env: { EPT_CONFIG: yaml }, cores: 1 }).port).toBe(7000);
  });

  it('--config wins over EPT_CONFIG, which wins over the default path; JSON files work', () => {
    const a = file('a.json', '{"port": 1111}');
    const b = file('b.yaml', 'port: 2222');
    const c = file('c.yaml', 'port: 3333');
    expect(loadServerConfig({ env: { EPT_CONFIG: b }, flags: { config: a }, configFile: c }).port).toBe(1111);
    expect(loadServerConfig({ env: { EPT_CONFIG: b }, configFile: c }).port).toBe(2222);
    expect(loadServerConfig({ env: {}, configFile: c }).port).toBe(3333);
  });

  it('--no-demo and EPT_DEMO turn the demo off; secrets come from EPT_ADMIN_PASSWORD', () => {
    expect(loadServerConfig({ env: {}, flags: { demo: false } }).demo).toBe(false);
    expect(loadServerConfig({ env: { EPT_DEMO: 'no' } }).demo).toBe(false);
    expect(loadServerConfig({ env: { EPT_DEMO: 'false' }, flags: {} }).demo).toBe(false);
    expect(loadServerConfig({ env: { EPT_ADMIN_PASSWORD: 'long-enough-pw' } }).adminPassword).toBe('long-enough-pw');
  });

  it.each([
    [{ env: { EPT_PORT: 'abc' } }, "EPT_PORT: must be an integer between 1 and 65535, got 'abc'"],
    [{ env: { EPT_PORT: '70000' } }, "EPT_PORT: must be an integer between 1 and 65535, got '70000'"],
    [{ flags: { port: '0' } }, "--port: must be an integer between 1 and 65535, got '0'"],
    [{ flags: { logLevel: 'loud' } }, "--log-level: must be one of fatal, error, warn, info, debug, trace, silent, got 'loud'"],
    [{ flags: { dataDir: '' } }, "--data-dir: must be a non-empty string, got ''"],
    [{ env: { EPT_HOST: '' } }, "EPT_HOST: must be a non-empty string, got ''"],
    [{ env: { EPT_DEMO: 'maybe' } }, "EPT_DEMO: must be true or false, got 'maybe'"],
    [{ env: { EPT_ADMIN_PASSWORD: 'short' } }, 'EPT_ADMIN_PASSWORD: must be at least 8 characters'],
    [{ env: { EPT_TOKEN_TTL: '5' } }, "EPT_TOKEN_TTL: must be an integer between 60 and 31536000, got '5'"],
    [{ env: { EPT_PARTITIONS: '0' } }, "EPT_PARTITIONS: must be an integer between 1 and 4096, got '0'"],
    [{ env: { EPT_BATCH_SIZE: '1.5' } }, "EPT_BATCH_SIZE: must be an integer between 1 and 100000, got '1.5'"],
    [{ env: { EPT_QUEUE_CAPACITY: '-1' } }, "EPT_QUEUE_CAPACITY: must be an integer between 100 and 10000000, got '-1'"],
    [{ env: { EPT_LOG_LEVEL: 'INFO' } }, "EPT_LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent, got 'INFO'"],
  ] as [LoadServerConfigOptions, string][])('rejects %j', (opts, message) => {
    expect(failure(opts).message).toBe(message);
  });

  it('names the file and key for bad file values', () => {
    const p = file('bad-port.yaml', 'port: "http"\n');
    expect(failure({ configFile: p }).message).toBe(`config file ${p}: port: must be an integer between 1 and 65535, got 'http'`);
    const q = file('bad-demo.json', '{"demo": 3}');
    expect(failure({ configFile: q }).message).toBe(`config file ${q}: demo: must be true or false, got 3`);
  });

  it('rejects unknown keys, non-mappings, unparseable and missing files', () => {
    const unknown = file('unknown.yaml', 'prot: 1\n');
    expect(failure({ configFile: unknown }).message).toMatch(new RegExp(`^config file ${unknown}: unknown setting 'prot' \\(known: dataDir, host, port`));
    const list = file('list.yaml', '- 1\n- 2\n');
    expect(failure({ configFile: list }).message).toBe(`config file ${list}: must be a mapping of setting names to values`);
    const broken = file('broken.yaml', 'port: [1,\n');
    expect(failure({ configFile: broken }).message).toMatch(new RegExp(`^config file ${broken}: is not valid YAML or JSON: `));
    const missing = join(dir, 'missing.yaml');
    expect(failure({ configFile: missing }).message).toBe(`config file ${missing}: cannot be read (ENOENT)`);
  });

  it('an empty file is no settings', () => {
    expect(loadServerConfig({ env: {}, configFile: file('empty.yaml', '') }).port).toBe(8080);
  });
});

describe('clientEnv', () => {
  it('reads EPT_SERVER and EPT_TOKEN, treating empty as unset', () => {
    expect(clientEnv({ EPT_SERVER: 'http://x:1', EPT_TOKEN: '' })).toEqual({ server: 'http://x:1', token: undefined });
  });
});
