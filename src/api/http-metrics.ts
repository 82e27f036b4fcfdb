// Prometheus counters and durations of HTTP requests, labelled by route template (not raw URL,
// which would grow one series per endpoint address).
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';

function counter(registry: Registry): Counter<'method' | 'route' | 'status'> {
  const name = 'ept_http_requests_total';
  // The registry may outlive one app (tests, restarts): reuse what is registered.
  const existing = registry.getSingleMetric(name) as Counter<'method' | 'route' | 'status'> | undefined;
  return existing ?? new Counter({ name, help: 'HTTP requests answered', labelNames: ['method', 'route', 'status'], registers: [registry] });
}

function histogram(registry: Registry): Histogram<'method' | 'route'> {
  const name = 'ept_http_request_duration_seconds';
  const existing = registry.getSingleMetric(name) as Histogram<'method' | 'route'> | undefined;
  return (
    existing ??
    new Histogram({ name, help: 'HTTP request duration', labelNames: ['method', 'route'], buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5], registers: [registry] })
  );
}

export function installHttpMetrics(app: FastifyInstance, registry: Registry): void {
  const requests = counter(registry);
  const durations = histogram(registry);
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    durations.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
}
