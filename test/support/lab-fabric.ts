// A small lab fabric as APIC objects (real attribute spelling), for analysis and pipeline tests.
// Leafs 101-104 (pairs 101/102 and 103/104 in vPC), leaf 105 alone; VRF 2654208 with BD 15007713
// (subnets 10.1.1.1/24 and 2001:db8:1::1/64) and EPG pcTag 49153; EPG 49999 has no known BD.
import { FabricTables } from '../../src/core/fabric-tables.js';

export const VRF = 2654208;
export const BD = 15007713;
export const EPG_TAG = 49153;
export const UNKNOWN_BD_EPG_TAG = 49999;
export const TEP: Record<number, string> = { 101: '10.0.56.95', 102: '10.0.56.90', 103: '10.0.56.92', 104: '10.0.56.91', 105: '10.0.56.96' };
export const VIP_101_102 = '10.0.240.33';
export const VIP_103_104 = '10.0.240.32';
export const PROXY_TEP = '10.0.104.65';

/** Tunnel interface name on `from` that points at the TEP `dest`. */
export function tunnelTo(dest: string): string {
  const all = [...Object.values(TEP), VIP_101_102, VIP_103_104, PROXY_TEP];
  return `tunnel${all.indexOf(dest) + 1}`;
}

export function labObjects(): { cls: string; attrs: Record<string, string> }[] {
  const o: { cls: string; attrs: Record<string, string> }[] = [];
  const add = (cls: string, attrs: Record<string, string>): void => {
    o.push({ cls, attrs });
  };
  for (const [id, tep] of Object.entries(TEP)) {
    add('fabricNode', { dn: `topology/pod-1/node-${id}`, id, role: 'leaf', fabricSt: 'active', name: `leaf${id}` });
    add('topSystem', { dn: `topology/pod-1/node-${id}/sys`, id, address: tep, podId: '1', state: 'in-service', role: 'leaf', name: `leaf${id}` });
    const dests = [...Object.values(TEP), VIP_101_102, VIP_103_104, PROXY_TEP];
    for (const dest of dests) {
      if (dest === tep) continue;
      const t = tunnelTo(dest);
      add('tunnelIf', {
        dn: `topology/pod-1/node-${id}/sys/tunnel-[${t}]`,
        id: t,
        dest,
        src: `${tep}/32`,
        tType: 'ivxlan',
        type: dest === PROXY_TEP ? 'physical,proxy-acast-v4' : 'physical',
        operSt: 'up',
      });
    }
  }
  add('fabricExplicitGEp', { dn: 'uni/fabric/protpol/expgep-vpc-domain-1', id: '1', name: 'vpc-domain-1', virtualIp: `${VIP_101_102}/32` });
  add('fabricNodePEp', { dn: 'uni/fabric/protpol/expgep-vpc-domain-1/nodepep-101', id: '101', peerIp: `${TEP[102]}/32` });
  add('fabricNodePEp', { dn: 'uni/fabric/protpol/expgep-vpc-domain-1/nodepep-102', id: '102', peerIp: `${TEP[101]}/32` });
  add('fabricExplicitGEp', { dn: 'uni/fabric/protpol/expgep-vpc-domain-2', id: '2', name: 'vpc-domain-2', virtualIp: `${VIP_103_104}/32` });
  add('fabricNodePEp', { dn: 'uni/fabric/protpol/expgep-vpc-domain-2/nodepep-103', id: '103', peerIp: `${TEP[104]}/32` });
  add('fabricNodePEp', { dn: 'uni/fabric/protpol/expgep-vpc-domain-2/nodepep-104', id: '104', peerIp: `${TEP[103]}/32` });
  add('vpcRsVpcConf', { dn: 'topology/pod-1/node-101/sys/vpc/inst/dom-1/if-343/rsvpcConf', tSKey: 'po3', parentSKey: '343' });
  add('vpcRsVpcConf', { dn: 'topology/pod-1/node-102/sys/vpc/inst/dom-1/if-343/rsvpcConf', tSKey: 'po4', parentSKey: '343' });
  add('fvCtx', { dn: 'uni/tn-ag/ctx-v1', scope: String(VRF), name: 'v1', pcTag: '16386' });
  add('fvBD', { dn: 'uni/tn-ag/BD-bd1', seg: String(BD), scope: String(VRF), name: 'bd1', pcTag: '32770' });
  add('fvSubnet', { dn: 'uni/tn-ag/BD-bd1/subnet-[10.1.1.1/24]', ip: '10.1.1.1/24' });
  add('fvSubnet', { dn: 'uni/tn-ag/BD-bd1/subnet-[2001:db8:1::1/64]', ip: '2001:db8:1::1/64' });
  add('fvAEPg', { dn: 'uni/tn-ag/ap-app/epg-e0', pcTag: String(EPG_TAG), scope: String(VRF), name: 'e0' });
  add('fvRsBd', { dn: 'uni/tn-ag/ap-app/epg-e0/rsbd', tDn: 'uni/tn-ag/BD-bd1', tnFvBDName: 'bd1' });
  add('fvAEPg', { dn: 'uni/tn-ag/ap-app/epg-nobd', pcTag: String(UNKNOWN_BD_EPG_TAG), scope: String(VRF), name: 'nobd' });
  return o;
}

export function labTables(): FabricTables {
  const t = new FabricTables();
  for (const { cls, attrs } of labObjects()) t.apply(cls, attrs);
  return t;
}
