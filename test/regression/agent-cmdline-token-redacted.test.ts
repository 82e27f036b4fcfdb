// Bug: the services and dependencies documents carried each socket owner's full command line, and
// the agent's own connection to the server is one of its dependencies: `ept agent --token <token>`
// sent its token to the server, where every API reader could see it in /api/v1/dependencies and
// /api/v1/hosts/{id} (found by the netns end-to-end test, whose host processes then had the token in
// argv). Secret-named flag values are now redacted before a document is built.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SocketScanner } from '../../src/agent/socket-scan.js';

const SECRET = 'ept_agent_regression_secret_value';

describe('a socket owner with a token on its command line', () => {
  let child: ChildProcess;
  let port = 0;
  beforeAll(async () => {
    // Shaped like `ept agent --server URL --token TOKEN`: a process holding a listener and a connection.
    const script = "const net=require('net');const s=net.createServer(()=>{}).listen(0,'127.0.0.1',()=>{const c=net.connect(s.address().port,'127.0.0.1',()=>console.log(s.address().port))})";
    child = spawn(process.execPath, ['-e', script, 'agent', '--server', 'http://127.0.0.1:1', '--token', SECRET], { stdio: ['ignore', 'pipe', 'inherit'] });
    port = await new Promise<number>((resolve) => child.stdout?.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  });
  afterAll(() => {
    child.kill('SIGKILL');
  });

  it('is reported with the token replaced by ***', () => {
    const scan = new SocketScanner().scan();
    const svc = scan.services.services.find((s) => s.pid === child.pid && s.port === port);
    const dep = scan.dependencies.connections.find((c) => c.pid === child.pid && c.remotePort === port);
    expect(svc?.cmdline).toContain('--token ***');
    expect(dep?.cmdline).toContain('--server http://127.0.0.1:1 --token ***');
    expect(JSON.stringify(scan)).not.toContain(SECRET);
  });
});
