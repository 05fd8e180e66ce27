import { defineOptions } from '../define.js'
import { upstreamProblem } from '../formats.js'

const o = defineOptions('upstreams')

/** Where authenticated requests go and how they are forwarded. */
export const upstreamOptions = {
  upstreams: o.list('upstream', 'Backends: http(s)://host[:port][/path], file:///dir[#/mount/], static://CODE or unix:///socket; the URL path is the route (trailing "/" = prefix).', {
    check: upstreamProblem,
  }),
  passHostHeader: o.bool('pass-host-header', true, "Send the client's Host header to the upstream instead of the upstream's own host."),
  proxyWebsockets: o.bool('proxy-websockets', true, 'Forward WebSocket upgrade requests to the upstream.'),
  sslUpstreamInsecureSkipVerify: o.bool('ssl-upstream-insecure-skip-verify', false, "Do not verify upstream TLS certificates (testing only)."),
  upstreamTimeout: o.duration('upstream-timeout', '30s', 'How long to wait for the upstream to start answering before a 502.'),
  flushInterval: o.duration('flush-interval', '1s', 'How often a streamed upstream response is flushed to the client.'),
  disableKeepAlives: o.bool('disable-keep-alives', false, 'Open a new upstream connection for every request.'),
}
