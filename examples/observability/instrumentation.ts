// OpenTelemetry's Node SDK, started before the app or the worker loads anything else (import it first):
// - metrics: a Prometheus endpoint of this process's own, http://localhost:$METRICS_PORT/metrics (default
//   9464), on a port that is not the app's, so it stays inside the network Prometheus scrapes from;
// - traces: where OTEL_TRACES_EXPORTER and OTEL_EXPORTER_OTLP_ENDPOINT say (OTLP by default; `console` prints
//   them), with a span per incoming HTTP request, which idstitch's spans sit under.
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus'
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http'
import { NodeSDK } from '@opentelemetry/sdk-node'

export const prometheus = new PrometheusExporter({ port: Number(process.env.METRICS_PORT ?? 9464) })

const sdk = new NodeSDK({
  serviceName: process.env.OTEL_SERVICE_NAME ?? 'idstitch-example',
  metricReaders: [prometheus],
  instrumentations: [
    new HttpInstrumentation({
      // Requests to the providers are idstitch's own spans (`POST /v1/identify`, with the provider's name,
      // attempt and status, and never a query string, which may carry a key): not a second span each.
      ignoreOutgoingRequestHook: () => true,
      // Prometheus's scrapes are not requests worth a trace.
      ignoreIncomingRequestHook: (request) => request.url === '/metrics' || request.url === '/favicon.ico',
    }),
  ],
})
sdk.start()

/** Flushes the last spans and metrics, and stops the Prometheus endpoint. */
export const shutdownTelemetry = (): Promise<void> => sdk.shutdown()
