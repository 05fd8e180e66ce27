// The nginx configurations of the benchmark: the upstream, nginx as the reference reverse proxy, and nginx
// auth_request in front of gatehouse's /oauth2/auth.

const KEEPALIVE = 'proxy_http_version 1.1; proxy_set_header Connection "";'

/** The upstream: "ok" for load, and /check echoing the identity headers it received. */
export function upstreamConf(port: number): string {
  return `  server {
    listen 127.0.0.1:${port}; keepalive_requests 1000000;
    location = /check { default_type text/plain; return 200 "user=$http_x_forwarded_user email=$http_x_forwarded_email auth=$http_x_auth_request_user\\n"; }
    location / { default_type text/plain; return 200 "ok\\n"; }
  }`
}

/** The reference: nginx as a plain reverse proxy with a kept-alive upstream pool. */
export function referenceConf(port: number, upstreamPort: number): string {
  return `  upstream app { server 127.0.0.1:${upstreamPort}; keepalive 64; }
  server {
    listen 127.0.0.1:${port}; keepalive_requests 1000000;
    location / { proxy_pass http://app; ${KEEPALIVE} proxy_set_header X-Forwarded-User reference; }
  }`
}

/** nginx auth_request: every request asks gatehouse's /oauth2/auth, then goes to the upstream with the identity. */
export function authRequestConf(port: number, gatehousePort: number, upstreamPort: number): string {
  return `  upstream app { server 127.0.0.1:${upstreamPort}; keepalive 64; }
  upstream gatehouse { server 127.0.0.1:${gatehousePort}; keepalive 64; }
  server {
    listen 127.0.0.1:${port}; keepalive_requests 1000000;
    location = /oauth2/auth {
      internal;
      proxy_pass http://gatehouse; ${KEEPALIVE}
      proxy_pass_request_body off; proxy_set_header Content-Length "";
      proxy_set_header X-Forwarded-Uri $request_uri;
    }
    location / {
      auth_request /oauth2/auth;
      auth_request_set $auth_user $upstream_http_x_auth_request_user;
      proxy_pass http://app; ${KEEPALIVE}
      proxy_set_header X-Auth-Request-User $auth_user;
    }
  }`
}
