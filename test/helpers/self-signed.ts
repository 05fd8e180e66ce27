// A throwaway self-signed certificate for 127.0.0.1 and localhost (P-256, one day), made with the openssl command line.
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'

/** Writes `cert.pem` and `key.pem` into `dir` and returns their paths. */
export function selfSignedCert(dir: string): { certPath: string; keyPath: string } {
  const certPath = join(dir, 'cert.pem')
  const keyPath = join(dir, 'key.pem')
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', keyPath, '-out', certPath,
  ], { stdio: 'ignore' })
  return { certPath, keyPath }
}
