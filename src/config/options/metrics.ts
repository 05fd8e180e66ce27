import { defineOptions } from '../define.js'
import { listenAddressProblem } from '../formats.js'

const o = defineOptions('metrics')

/** The separate Prometheus metrics listener. */
export const metricsOptions = {
  metricsAddress: o.string('metrics-address', '', 'Where to serve Prometheus metrics over HTTP (host:port); off when empty.', { check: listenAddressProblem }),
  metricsSecureAddress: o.string('metrics-secure-address', '', 'Where to serve Prometheus metrics over HTTPS (host:port); off when empty.', {
    check: listenAddressProblem,
  }),
  metricsTlsCertFile: o.string('metrics-tls-cert-file', '', 'PEM certificate of the HTTPS metrics listener.'),
  metricsTlsKeyFile: o.string('metrics-tls-key-file', '', 'PEM private key of the HTTPS metrics listener.'),
}
