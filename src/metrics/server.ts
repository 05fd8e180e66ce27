import * as http from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import * as https from 'node:https'
import type { Metrics } from './registry.js'

/** Creates the metrics listener (HTTP, or HTTPS with `tls`): `GET /metrics` in Prometheus text format and nothing else. */
export function createMetricsServer(metrics: Pick<Metrics, 'scrape'>, tls?: { cert: Buffer; key: Buffer }): http.Server {
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0]
    if (path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' })
      res.end('404 page not found\n')
      return
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'Content-Type': 'text/plain; charset=utf-8', Allow: 'GET, HEAD' })
      res.end('Method Not Allowed\n')
      return
    }
    metrics.scrape().then(
      ({ body, contentType }) => {
        res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' })
        res.end(req.method === 'HEAD' ? undefined : body)
      },
      () => {
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' })
        res.end('metrics collection failed\n')
      },
    )
  }
  const limits = { maxHeaderSize: 16 * 1024, headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5_000 }
  return tls === undefined ? http.createServer(limits, onRequest) : https.createServer({ ...limits, cert: tls.cert, key: tls.key }, onRequest)
}
