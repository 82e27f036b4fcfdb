// Human-readable one-line summaries of decoded frames, for `ept decode pcap` without --json.
import type { DecodedFrame } from './pcap-frame-decoder.js';

/** Column header matching formatFrameLine. */
export const FRAME_LINE_HEADER = `${'FRAME'.padStart(6)}  ${'TIME'.padEnd(20)}  ${'PROTO'.padEnd(9)}  ${'SOURCE'.padEnd(17)}  DETAILS`;

/** One line: frame number, time, protocol, source MAC, then the fields that identify the neighbour. */
export function formatFrameLine(f: DecodedFrame): string {
  const time = `${f.ts.slice(0, f.ts.length - 3)}`;
  return `${String(f.frame).padStart(6)}  ${time.padEnd(20)}  ${f.protocol.padEnd(9)}  ${(f.src ?? '-').padEnd(17)}  ${details(f)}`;
}

function details(f: DecodedFrame): string {
  const kv = (pairs: [string, unknown][]) =>
    pairs
      .filter(([, v]) => v !== undefined && v !== '')
      .map(([k, v]) => `${k}=${typeof v === 'string' && /\s/.test(v) ? JSON.stringify(v) : String(v)}`)
      .join(' ');
  const vlanTags = f.vlanTags ? ` vlan-tags=${f.vlanTags.join('.')}` : '';
  switch (f.protocol) {
    case 'lldp':
      return (
        kv([
          ['chassis', f.chassisId],
          ['port', f.portId],
          ['ttl', f.ttl],
          ['system', f.systemName],
          ['port-desc', f.portDescription],
          ['pvid', f.pvid],
          ['mgmt', f.managementAddresses.map((m) => m.address).join(',')],
          ['speed', f.macPhy?.speedMbps],
          ['duplex', f.macPhy?.duplex],
          ['max-frame', f.maxFrameSize],
          ['truncated-at', f.truncated?.offset],
        ]) + vlanTags
      );
    case 'cdp':
      return (
        kv([
          ['device', f.deviceId],
          ['port', f.portId],
          ['platform', f.platform],
          ['native-vlan', f.nativeVlan],
          ['duplex', f.duplex],
          ['mgmt', [...f.managementAddresses, ...f.addresses].filter((a, i, all) => all.indexOf(a) === i).join(',')],
          ['mtu', f.mtu],
          ['checksum', f.checksumOk ? undefined : 'bad'],
          ['truncated-at', f.truncated?.offset],
        ]) + vlanTags
      );
    case 'arp':
      return kv([['op', f.op], ['sender', `${f.senderMac}/${f.senderIp}`], ['target', `${f.targetMac}/${f.targetIp}`]]) + vlanTags;
    case 'ndp':
      return kv([['type', f.type], ['src', f.srcIp], ['target', f.targetIp], ['sll', f.sourceMac], ['tll', f.targetMac]]) + vlanTags;
    case 'unknown':
      return kv([['ethertype', f.etherType], ['snap', f.snap], ['llc-dsap', f.llcDsap]]) + vlanTags;
    case 'malformed':
      return `${f.layer}: ${f.error} (frame offset ${f.offset})`;
  }
}
