import client from 'prom-client';

export function createMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const httpDuration = new client.Histogram({
    name: 'http_request_duration_seconds', help: 'HTTP request latency', labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry],
  });
  const sockets = new client.Gauge({ name: 'realtime_sockets', help: 'Connected socket.io consoles', registers: [registry] });
  return { registry, httpDuration, sockets };
}
export type Metrics = ReturnType<typeof createMetrics>;
