import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { PipelineMetrics } from './pipeline-metrics.js';

describe('PipelineMetrics', () => {
  it('reports events and findings per fabric and kind at each scrape, cumulatively', async () => {
    const registry = new Registry();
    const m = new PipelineMetrics(registry);
    m.received('f1', 3);
    m.processed('f1');
    m.finding('f1', 'move');
    m.finding('f1', 'move');
    m.finding('f2', 'stale');
    let text = await registry.metrics();
    expect(text).toContain('ept_events_received_total{fabric="f1"} 3');
    expect(text).toContain('ept_events_processed_total{fabric="f1"} 1');
    expect(text).toContain('ept_findings_total{fabric="f1",kind="move"} 2');
    expect(text).toContain('ept_findings_total{fabric="f2",kind="stale"} 1');
    m.finding('f1', 'move');
    m.finding('f1', 'offsubnet');
    text = await registry.metrics();
    expect(text).toContain('ept_findings_total{fabric="f1",kind="move"} 3');
    expect(text).toContain('ept_findings_total{fabric="f1",kind="offsubnet"} 1');
    expect(text).toContain('ept_findings_total{fabric="f2",kind="stale"} 1');
  });
});
