import { defineOptions } from '../define.js'
import { ipOrCidrProblem, listenAddressProblem, pathProblem, realClientIpHeaderProblem } from '../formats.js'
import { cipherSuiteProblem } from '../tls-ciphers.js'

const o = defineOptions('server')

/** Listeners, TLS, the endpoint prefix, probes and trust in forwarding proxies. */
export const serverOptions = {
  httpAddress: o.string('http-address', '127.0.0.1:4180', 'Where to listen for plain HTTP: [http://]host:port or unix://path; "-" or empty turns the listener off.', {
    check: listenAddressProblem,
  }),
  httpsAddress: o.string('https-address', ':443', 'Where to listen for HTTPS, as [https://]host:port; used only when a certificate and key are set.', {
    check: listenAddressProblem,
  }),
  tlsCertFile: o.string('tls-cert-file', '', 'PEM certificate (chain) for HTTPS; once set, only the HTTPS listener runs, as in oauth2-proxy.'),
  tlsKeyFile: o.string('tls-key-file', '', 'PEM private key matching --tls-cert-file.'),
  tlsMinVersion: o.choice('tls-min-version', ['', 'TLS1.2', 'TLS1.3'], '', 'Oldest TLS version accepted on the HTTPS listener; empty means TLS1.2.'),
  http2: o.bool('http2', true, 'gatehouse only, oauth2-proxy has no such option: the HTTPS listener also speaks HTTP/2 (chosen by ALPN; HTTP/1.1 clients and WebSockets keep HTTP/1.1), which gRPC clients need; false offers HTTP/1.1 only.'),
  tlsCipherSuites: o.list('tls-cipher-suite', 'TLS 1.2 cipher suites the HTTPS listener offers, by their Go names (mapped to OpenSSL\'s); TLS 1.3 always offers all of its suites, as in oauth2-proxy.', {
    check: cipherSuiteProblem,
  }),
  proxyPrefix: o.string('proxy-prefix', '/oauth2', 'Path prefix of the built-in endpoints (start, callback, auth, sign_in, sign_out, userinfo).', {
    check: pathProblem,
  }),
  pingPath: o.string('ping-path', '/ping', 'Liveness endpoint: answers 200 "OK" without authentication.', { check: pathProblem }),
  pingUserAgent: o.string('ping-user-agent', '', 'User-Agent of liveness probes. Accepted for compatibility; it never makes another path a health check (GHSA-5hvv-m4w4-gf6v), and the ping paths answer every request anyway.'),
  readyPath: o.string('ready-path', '/ready', 'Readiness endpoint: answers 200 once the session store is usable.', { check: pathProblem }),
  gcpHealthchecks: o.bool('gcp-healthchecks', false, 'Deprecated: also answer /liveness_check, /readiness_check and the GoogleHC/1.0 User-Agent on "/".'),
  reverseProxy: o.bool('reverse-proxy', false, 'Read the client address and X-Forwarded-Proto/Host/Uri from the headers a fronting proxy sets.'),
  trustedProxyIps: o.list('trusted-proxy-ip', 'Peers (IPs or CIDRs) allowed to set forwarding headers under --reverse-proxy; empty trusts every peer.', {
    check: ipOrCidrProblem,
  }),
  realClientIpHeader: o.string('real-client-ip-header', 'X-Real-IP', 'Header holding the client address under --reverse-proxy: X-Forwarded-For, X-Real-IP, X-ProxyUser-IP, X-Envoy-External-Address or CF-Connecting-IP.', {
    check: realClientIpHeaderProblem,
  }),
  workers: o.int('workers', 1, 'gatehouse only, oauth2-proxy has no such option: serve with this many processes sharing the listen address (node:cluster); a crashed one is replaced.', { min: 1 }),
  watchConfig: o.bool('watch-config', false, 'gatehouse only, oauth2-proxy has no such option: reload the configuration (as on SIGHUP) when the cfg file or a file it names changes; a change that does not validate is refused and the running configuration keeps serving.'),
  forceHttps: o.bool('force-https', false, 'Answer plain HTTP requests with a 308 redirect to HTTPS (port taken from --https-address).'),
}
