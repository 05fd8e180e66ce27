// The container image's health check: GET the ping endpoint on the loopback interface, exit 0 when it answers 2xx.
// It reads the address and path from the OAUTH2_PROXY_* variables, so it follows an image configured by environment
// (flags on the command line are not visible here; set the variables to move the port or the path).
const address = process.env.OAUTH2_PROXY_HTTP_ADDRESS || '127.0.0.1:4180'
const port = address.slice(address.lastIndexOf(':') + 1) || '4180'
const path = process.env.OAUTH2_PROXY_PING_PATH || '/ping'

try {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(4000) })
  process.exitCode = response.ok ? 0 : 1
} catch {
  process.exitCode = 1
}
