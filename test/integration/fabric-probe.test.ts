import { it } from 'vitest';
import { FabricModel } from '../../src/sim/fabric-model.js';
it('probe', () => {
const m = new FabricModel({ leafs: 5, vpcPairs: 1, endpoints: 60, seed: 3 });
console.log('epgs', m.topo.epgs.length, 'bds', JSON.stringify(m.topo.bds.map(b=>[b.vnid,b.vrf])));
for (let i = 0; i < 20; i++) { const h = m.host(i)!; console.log(i, h.mac, h.ip, h.epg, JSON.stringify(h.learns.map(l=>[l.node,l.local,l.ifId]))); }
console.log(m.staticObjects('fvSubnet').map(s=>s.attrs.dn));
});
