// Websocket frame of endpoint events to observations: the text path (frame as a string, JSON.parse,
// toObservation) against the byte scanner (scanApicFrame, which reads an endpoint object straight
// into its observation, as the websocket receiver takes it), per event, on a frame of 500 epmMacEp
// events shaped like the simulator's (~440 bytes each).
// Run after npm run build: node bench/apic-frame-parse.mjs
import { parseApicMessage, toObservation } from '../dist/protocols/apic-objects.js';
import { scanApicFrame } from '../dist/protocols/apic-frame.js';

const hex = (i) => (i & 255).toString(16).padStart(2, '0');
const entry = (i) =>
  `{"epmMacEp":{"attributes":{"dn":"topology/pod-1/node-${101 + (i % 50)}/sys/ctx-[vxlan-2654208]/bd-[vxlan-15007713]/vlan-[vlan-101]/db-ep/mac-02:00:00:${hex(i >> 8)}:${hex(i)}:01",` +
  `"status":"modified","addr":"02:00:00:${hex(i >> 8)}:${hex(i)}:01","createTs":"2026-11-22T10:00:00.000+00:00","name":"","pcTag":"49153","flags":"local,mac,vpc-attached",` +
  `"modTs":"never","ifId":"po5","rn":"","childAction":"","encap":"vlan-101","lcC":"learned","annotation":"","extMngdBy":"","uid":"0","userdom":""}}}`;
const N = 500;
const frame = Buffer.from(`{"subscriptionId":["72057594037927937"],"imdata":[${Array.from({ length: N }, (_, i) => entry(i)).join(',')}]}`);
const ROUNDS = 400;
let sink = 0;
const paths = {
  text: () => parseApicMessage(frame.toString('utf8')).message,
  bytes: () => scanApicFrame(frame),
};
console.log(`frame: ${N} events, ${(frame.length / N).toFixed(0)} bytes per event`);
for (let round = 0; round < 3; round++) {
  for (const [name, read] of Object.entries(paths)) {
    const t = performance.now();
    for (let r = 0; r < ROUNDS; r++) {
      for (const o of read().objects) {
        if (o.obs) {
          o.obs.fabric = 'f';
          o.obs.ts = 1;
          sink += o.obs.node;
          continue;
        }
        const x = toObservation('f', o, 1);
        if (x.ok) sink += x.obs.node;
      }
    }
    console.log(`${name.padEnd(5)} ${(((performance.now() - t) * 1000) / (ROUNDS * N)).toFixed(2)} us per event`);
  }
}
if (sink === 0) console.log('no observations');
