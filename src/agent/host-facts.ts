// The host document: identity, OS, CPU, memory, boot time.
import { hostname, release } from 'node:os';
import type { ModuleDocument } from '../protocols/agent-report.js';
import { parseBootTime, parseCpuinfo, parseMeminfoTotal, parseOsRelease } from '../protocols/proc-host-facts.js';
import { readTextOr } from './host-files.js';

export const AGENT_VERSION = '0.1.0';

/** /etc/machine-id (systemd), else D-Bus's copy, else the hostname: a stable id is all that matters. */
export function readMachineId(): string {
  const id = (readTextOr('/etc/machine-id') ?? readTextOr('/var/lib/dbus/machine-id') ?? '').trim();
  return (id || `host-${hostname()}`).slice(0, 64);
}

export function collectHost(): ModuleDocument<'host'> {
  const os = parseOsRelease(readTextOr('/etc/os-release') ?? readTextOr('/usr/lib/os-release') ?? '');
  const cpu = parseCpuinfo(readTextOr('/proc/cpuinfo') ?? '');
  return {
    hostname: hostname().slice(0, 256),
    machineId: readMachineId(),
    os: { name: os.name.slice(0, 256), version: os.version.slice(0, 256), kernel: release().slice(0, 256) },
    cpu: { model: cpu.model.slice(0, 256), cores: Math.min(cpu.cores, 65536) },
    memoryBytes: parseMeminfoTotal(readTextOr('/proc/meminfo') ?? ''),
    bootTs: parseBootTime(readTextOr('/proc/stat') ?? '') * 1000,
    agentVersion: AGENT_VERSION,
  };
}
