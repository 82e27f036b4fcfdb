// The wire format between the host agent and the server: one TypeBox schema per discovery module
// document, and the report envelope. Both sides import this file; the server validates with it.
import { Type, type Static } from '@sinclair/typebox';

const Str = (maxLength = 256) => Type.String({ maxLength });
const Int = (minimum = 0, maximum = Number.MAX_SAFE_INTEGER) => Type.Integer({ minimum, maximum });
const Ts = Type.Integer({ minimum: 0, description: 'ms since epoch' });
const Mac = Type.String({ pattern: '^[0-9a-f]{2}(:[0-9a-f]{2}){5}$', description: 'lower-case colon form' });
const Ip = Type.String({ maxLength: 64, description: 'canonical IPv4 or IPv6 text' });

/** host: identity and facts. */
export const HostDocument = Type.Object({
  hostname: Str(),
  machineId: Str(64),
  os: Type.Object({ name: Str(), version: Str(), kernel: Str() }),
  cpu: Type.Object({ model: Str(), cores: Int(0, 65536) }),
  memoryBytes: Int(),
  bootTs: Ts,
  agentVersion: Str(64),
});

export const InterfaceAddress = Type.Object({ addr: Ip, prefixLen: Int(0, 128), family: Type.Union([Type.Literal('ipv4'), Type.Literal('ipv6')]) });

/** interfaces: NICs, their addresses, and default gateways. */
export const InterfacesDocument = Type.Object({
  interfaces: Type.Array(
    Type.Object({
      name: Str(64),
      mac: Type.Union([Mac, Type.Literal('')]),
      mtu: Int(0, 1 << 20),
      operState: Str(32),
      carrier: Type.Boolean(),
      speedMbps: Type.Optional(Int()),
      duplex: Type.Optional(Str(16)),
      kind: Str(32),
      master: Type.Optional(Str(64)),
      addresses: Type.Array(InterfaceAddress, { maxItems: 4096 }),
    }),
    { maxItems: 4096 },
  ),
  gateways: Type.Array(Type.Object({ gateway: Ip, iface: Str(64), family: Type.Union([Type.Literal('ipv4'), Type.Literal('ipv6')]) }), { maxItems: 64 }),
});

/** neighbours: the ARP/ND table (and what passive capture saw). */
export const NeighboursDocument = Type.Object({
  neighbours: Type.Array(
    Type.Object({
      ip: Ip,
      mac: Mac,
      iface: Str(64),
      state: Str(32),
      source: Type.Union([Type.Literal('arp'), Type.Literal('nd'), Type.Literal('capture')]),
      lastSeenTs: Ts,
    }),
    { maxItems: 65536 },
  ),
});

/** switchLinks: what LLDP/CDP neighbours say about the switch port each NIC is cabled to. */
export const SwitchLinksDocument = Type.Object({
  links: Type.Array(
    Type.Object({
      iface: Str(64),
      protocol: Type.Union([Type.Literal('lldp'), Type.Literal('cdp')]),
      source: Type.Union([Type.Literal('capture'), Type.Literal('lldpd')]),
      chassisId: Str(),
      portId: Str(),
      systemName: Type.Optional(Str()),
      systemDescription: Type.Optional(Str(2048)),
      portDescription: Type.Optional(Str()),
      mgmtAddresses: Type.Array(Str(64), { maxItems: 64 }),
      capabilities: Type.Array(Str(32), { maxItems: 32 }),
      vlans: Type.Array(Type.Object({ id: Int(0, 4095), name: Type.Optional(Str(64)) }), { maxItems: 4096 }),
      pvid: Type.Optional(Int(0, 4095)),
      nativeVlan: Type.Optional(Int(0, 4095)),
      mau: Type.Optional(Type.Object({ autoneg: Type.Boolean(), mauType: Int(0, 65535), speedMbps: Type.Optional(Int()), duplex: Type.Optional(Str(16)) })),
      mtu: Type.Optional(Int(0, 1 << 20)),
      /** LLDP 802.3 maximum frame size (the MTU plus 18 or 22 bytes of framing, so not converted); added by the agent. */
      maxFrameSize: Type.Optional(Int(0, 1 << 20)),
      platform: Type.Optional(Str()),
      version: Type.Optional(Str(2048)),
      duplex: Type.Optional(Str(16)),
      ttl: Int(0, 65535),
      lastSeenTs: Ts,
    }),
    { maxItems: 1024 },
  ),
});

const Proto = Type.Union([Type.Literal('tcp'), Type.Literal('udp')]);
const Owner = {
  pid: Type.Optional(Int()),
  exe: Type.Optional(Str(1024)),
  cmdline: Type.Optional(Str(4096)),
  user: Type.Optional(Str(64)),
};

/** services: listening TCP and bound UDP sockets with their owning process, in every netns. */
export const ServicesDocument = Type.Object({
  services: Type.Array(Type.Object({ proto: Proto, ip: Ip, port: Int(0, 65535), netns: Int(), ...Owner }), { maxItems: 100_000 }),
});

/** dependencies: established outbound connections with their client process. */
export const DependenciesDocument = Type.Object({
  connections: Type.Array(
    Type.Object({ proto: Proto, localIp: Ip, localPort: Int(0, 65535), remoteIp: Ip, remotePort: Int(0, 65535), netns: Int(), ...Owner }),
    { maxItems: 200_000 },
  ),
});

/** capabilities: what the agent could not do here (no root, no tcpdump, ...), so the server can say so. */
export const CapabilitiesDocument = Type.Object({
  missing: Type.Array(Type.Object({ module: Str(64), reason: Str(1024) }), { maxItems: 64 }),
});

/** Every module and its document schema. */
export const MODULE_SCHEMAS = {
  host: HostDocument,
  interfaces: InterfacesDocument,
  neighbours: NeighboursDocument,
  switchLinks: SwitchLinksDocument,
  services: ServicesDocument,
  dependencies: DependenciesDocument,
  capabilities: CapabilitiesDocument,
} as const;

export type ModuleName = keyof typeof MODULE_SCHEMAS;
export type ModuleDocument<M extends ModuleName> = Static<(typeof MODULE_SCHEMAS)[M]>;

/**
 * POST /api/v1/agent/report (Bearer: the agent's token). A startup report is full (every module);
 * later ones carry only the modules whose document changed (by hash). The server may answer
 * {"resend": [...modules]} to ask for full documents again.
 */
export const AgentReport = Type.Object({
  /** Stable id of the host (machine id); the token is bound to it at first report. */
  hostId: Str(128),
  /** Increases by one per report; a gap tells the server it missed one and asks for a resend. */
  seq: Int(),
  full: Type.Boolean(),
  ts: Ts,
  documents: Type.Partial(
    Type.Object({
      host: Type.Object({ hash: Str(64), body: HostDocument }),
      interfaces: Type.Object({ hash: Str(64), body: InterfacesDocument }),
      neighbours: Type.Object({ hash: Str(64), body: NeighboursDocument }),
      switchLinks: Type.Object({ hash: Str(64), body: SwitchLinksDocument }),
      services: Type.Object({ hash: Str(64), body: ServicesDocument }),
      dependencies: Type.Object({ hash: Str(64), body: DependenciesDocument }),
      capabilities: Type.Object({ hash: Str(64), body: CapabilitiesDocument }),
    }),
  ),
});
export type AgentReport = Static<typeof AgentReport>;

/** The server's answer to a report. */
export const AgentReportAnswer = Type.Object({
  accepted: Type.Array(Str(64)),
  /** Modules the server wants in full in the next report. */
  resend: Type.Array(Str(64)),
});
export type AgentReportAnswer = Static<typeof AgentReportAnswer>;

/**
 * POST /api/v1/agent/observations: ARP/ND packets the agent captured passively, for host-side
 * endpoint tracking (arpwatch's reports). Batched; at most 10,000 per request.
 */
export const AgentObservations = Type.Object({
  hostId: Str(128),
  observations: Type.Array(
    Type.Object({
      ts: Ts,
      iface: Str(64),
      kind: Type.Union([Type.Literal('arp'), Type.Literal('nd')]),
      ip: Ip,
      mac: Mac,
    }),
    { maxItems: 10_000 },
  ),
});
export type AgentObservations = Static<typeof AgentObservations>;
