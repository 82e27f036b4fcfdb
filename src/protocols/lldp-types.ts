// What the LLDP decoder returns (IEEE 802.1AB-2016, with the 802.1, 802.3 and LLDP-MED extensions).

/** Capability bits of the System Capabilities TLV, by name. */
export type LldpCapability = 'other' | 'repeater' | 'bridge' | 'wlan-ap' | 'router' | 'telephone' | 'docsis' | 'station' | 'c-vlan' | 's-vlan' | 'tpmr';

export interface LldpCapabilities {
  /** Raw 16-bit masks, as on the wire. */
  availableBits: number;
  enabledBits: number;
  available: LldpCapability[];
  enabled: LldpCapability[];
}

export interface LldpManagementAddress {
  /** IANA address family number (1 IPv4, 2 IPv6, 6 MAC/802). */
  family: number;
  /** Text form (dotted quad, RFC 5952, aa:bb:… for MAC and unknown families). */
  address: string;
  /** Interface numbering subtype (1 unknown, 2 ifIndex, 3 system port number) and number. */
  interfaceSubtype: number;
  interfaceNumber: number;
  /** Object identifier in dotted form, when present. */
  oid?: string;
}

export interface LldpVlanName {
  vlan: number;
  name: string;
}

/** 802.3 MAC/PHY configuration/status. */
export interface LldpMacPhy {
  autonegSupported: boolean;
  autonegEnabled: boolean;
  /** PMD auto-negotiation advertised capability bits. */
  advertised: number;
  /** Operational MAU type (IANA-MAU-MIB dot3MauType), e.g. 16 = 100BASE-TX full duplex. */
  mauType: number;
  /** From the MAU type when it is one ept knows. */
  speedMbps?: number;
  duplex?: 'full' | 'half';
}

export interface LldpLinkAggregation {
  capable: boolean;
  enabled: boolean;
  /** Aggregated port id (ifIndex of the aggregate), 0 when not aggregated. */
  portId: number;
}

/** 802.3 Power via MDI. */
export interface LldpPower {
  /** Raw MDI power support byte: bit0 port class PSE, bit1 supported, bit2 enabled, bit3 pairs controllable. */
  support: number;
  psePair: number;
  powerClass: number;
  /** 802.3at fields, when the TLV carries them: requested/allocated power in 0.1 W. */
  requestedDeciWatts?: number;
  allocatedDeciWatts?: number;
}

export interface LldpMedNetworkPolicy {
  application: number;
  unknown: boolean;
  tagged: boolean;
  vlan: number;
  priority: number;
  dscp: number;
}

/** LLDP-MED (TIA-1057) basics. */
export interface LldpMed {
  capabilities?: number;
  deviceClass?: number;
  policies: LldpMedNetworkPolicy[];
  hardwareRevision?: string;
  firmwareRevision?: string;
  softwareRevision?: string;
  serialNumber?: string;
  manufacturer?: string;
  model?: string;
  assetId?: string;
  /** Location data formats seen (1 coordinate, 2 civic, 3 ECS ELIN); the data itself is not decoded. */
  locationFormats: number[];
}

/** One LLDPDU: the neighbour's switch and port as it describes itself. */
export interface LldpNeighbor {
  chassisIdSubtype: number;
  chassisId: string;
  portIdSubtype: number;
  portId: string;
  /** Seconds the information stays valid; 0 means the neighbour is shutting down. */
  ttl: number;
  portDescription?: string;
  systemName?: string;
  systemDescription?: string;
  capabilities?: LldpCapabilities;
  managementAddresses: LldpManagementAddress[];
  /** 802.1 port VLAN id (the untagged/native VLAN). */
  pvid?: number;
  vlans: LldpVlanName[];
  macPhy?: LldpMacPhy;
  /** 802.3 maximum frame size (the MTU plus 18 or 22 bytes of Ethernet framing). */
  maxFrameSize?: number;
  linkAggregation?: LldpLinkAggregation;
  power?: LldpPower;
  med?: LldpMed;
  /** TLVs the decoder does not interpret (counted, not kept). */
  unknownTlvs: number;
}
