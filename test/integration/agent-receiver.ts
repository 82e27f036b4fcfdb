// A real HTTP receiver for the agent's two routes that checks every body against the wire schemas
// of src/protocols/agent-report.ts (the contract test) and answers as a test scripts it.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Value } from '@sinclair/typebox/value';
import { AgentObservations, AgentReport, type AgentReportAnswer } from '../../src/protocols/agent-report.js';

export interface Received {
  path: string;
  auth: string | undefined;
  body: unknown;
  /** Schema errors of the body (empty = valid). */
  errors: string[];
}

export interface AgentReceiver {
  url: string;
  received: Received[];
  reports(): AgentReport[];
  /** Next answers, consumed in order; afterwards 200 with {accepted, resend: []}. */
  script: ({ status: number } | { resend: string[] })[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startAgentReceiver(): Promise<AgentReceiver> {
  const received: Received[] = [];
  const script: AgentReceiver['script'] = [];
  const server: Server = createServer((req, res) => {
    void readBody(req).then((text) => {
      const path = req.url ?? '';
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
      const schema = path === '/api/v1/agent/report' ? AgentReport : path === '/api/v1/agent/observations' ? AgentObservations : undefined;
      const errors = schema ? [...Value.Errors(schema, body)].slice(0, 5).map((e) => `${e.path}: ${e.message}`) : [`unknown route ${path}`];
      received.push({ path, auth: req.headers.authorization, body, errors });
      const step = path === '/api/v1/agent/report' ? script.shift() : undefined;
      if (step && 'status' in step) {
        res.writeHead(step.status, { 'content-type': 'application/json' }).end('{"error":"scripted"}');
        return;
      }
      const accepted = schema === AgentReport ? Object.keys((body as AgentReport).documents) : [];
      const answer: AgentReportAnswer = { accepted, resend: step && 'resend' in step ? step.resend : [] };
      res.writeHead(errors.length ? 400 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    script,
    reports: () => received.filter((r) => r.path === '/api/v1/agent/report').map((r) => r.body as AgentReport),
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** Polls `cond` every 20 ms until it holds or `ms` pass. */
export async function waitFor(cond: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
