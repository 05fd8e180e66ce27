import { strict as assert } from 'node:assert'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { ALPHA_PROVIDER } from '../../test/helpers/alpha-provider.js'
import { selfSignedCert } from '../../test/helpers/self-signed.js'
import { ConfigError } from '../errors.js'
import { listenersOf, tlsContentsOf, tlsFilesOf } from './listeners.js'
import { loadConfig } from './load.js'

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-listeners-'))
const { certPath, keyPath } = selfSignedCert(dir)
const CERT = readFileSync(certPath, 'utf8')
const KEY = readFileSync(keyPath, 'utf8')
// A second key pair: its key does not belong to the first certificate.
const otherDir = join(dir, 'other')
mkdirSync(otherDir)
const OTHER_KEY = readFileSync(selfSignedCert(otherDir).keyPath, 'utf8')

const CORE = ['--cookie-secret=0123456789abcdef', '--email-domain=*']
const PROVIDER = ALPHA_PROVIDER
let n = 0
function alpha(server: string): string {
  const file = join(dir, `a${n++}.yaml`)
  writeFileSync(file, `server:\n${server}${PROVIDER}`)
  return file
}

/** A YAML block scalar holding `pem` at the given indentation. */
function block(pem: string, indent: string): string {
  return `|\n${pem.trimEnd().split('\n').map((l) => `${indent}${l}`).join('\n')}\n`
}

function load(file: string, env: Record<string, string> = {}) {
  const r = loadConfig({ argv: [...CORE, '--alpha-config', file], env })
  if (r.kind !== 'config') throw new Error('expected a configuration')
  return r.config
}

function messages(file: string, env: Record<string, string> = {}): string[] {
  try {
    loadConfig({ argv: [...CORE, '--alpha-config', file], env })
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err))
    return err.message.split('\n').slice(1).map((line) => line.trim().replace(`${dir}/`, ''))
  }
  assert.fail('expected a ConfigError')
}

describe('the main listeners', () => {
  it('legacy options: HTTP only, or HTTPS only once a certificate is set (oauth2-proxy LegacyServer.convert)', () => {
    const plain = loadConfig({ argv: [...CORE, '--provider=oidc', '--client-id=a', '--client-secret=b', '--oidc-issuer-url=https://idp.example.com/', '--http-address=127.0.0.1:4180'], env: {} })
    assert.equal(plain.kind, 'config')
    if (plain.kind !== 'config') return
    assert.deepEqual(listenersOf(plain.config), [{ address: '127.0.0.1:4180', tls: false }])
    assert.equal(tlsContentsOf(plain.config), undefined)
    const tls = loadConfig({ argv: [...CORE, '--provider=oidc', '--client-id=a', '--client-secret=b', '--oidc-issuer-url=https://idp.example.com/', '--http-address=127.0.0.1:4180', '--https-address=127.0.0.1:4443', `--tls-cert-file=${certPath}`, `--tls-key-file=${keyPath}`], env: {} })
    assert.equal(tls.kind, 'config')
    if (tls.kind !== 'config') return
    assert.deepEqual(listenersOf(tls.config), [{ address: '127.0.0.1:4443', tls: true }])
    assert.equal(tlsContentsOf(tls.config)?.cert.toString(), CERT)
    assert.deepEqual(tlsFilesOf(tls.config), [certPath, keyPath])
  })

  it('alpha: both bind addresses give both listeners; cert and key from value and fromEnv are used as written', () => {
    const file = alpha(`  bindAddress: 127.0.0.1:4180\n  secureBindAddress: https://127.0.0.1:4443\n  tls:\n    cert:\n      value: ${block(CERT, '        ')}    key:\n      fromEnv: TLS_KEY\n`)
    const config = load(file, { TLS_KEY: KEY })
    assert.deepEqual(listenersOf(config), [{ address: '127.0.0.1:4180', tls: false }, { address: 'https://127.0.0.1:4443', tls: true }])
    const contents = tlsContentsOf(config)
    assert.equal(contents?.cert.toString(), CERT)
    assert.equal(contents?.key.toString(), KEY)
    assert.deepEqual(tlsFilesOf(config), [], 'nothing to watch: neither is a file')
    assert.equal(config.tlsCertFile, '', 'the legacy file options stay unset')
  })

  it('alpha: fromFile is read again for each compile and watched', () => {
    const file = alpha(`  secureBindAddress: 127.0.0.1:4443\n  tls:\n    cert: { fromFile: ${certPath} }\n    key: { fromFile: ${keyPath} }\n`)
    const config = load(file)
    assert.deepEqual(listenersOf(config), [{ address: '127.0.0.1:4443', tls: true }])
    assert.deepEqual(tlsFilesOf(config), [certPath, keyPath])
    assert.equal(tlsContentsOf(config)?.key.toString(), KEY)
  })

  it('reports every bad certificate source at once, naming the field path', () => {
    const file = alpha(`  secureBindAddress: 127.0.0.1:4443\n  tls:\n    cert: { fromEnv: NO_SUCH_CERT }\n    key: { value: "bm90IGEga2V5" }\n`)
    const found = messages(file)
    assert.ok(found.some((m) => /server\.tls\.cert\.fromEnv: the environment variable NO_SUCH_CERT is not set: it must hold the PEM certificate/.test(m)), found.join('\n'))
    assert.ok(found.some((m) => /server\.tls\.key\.value: the value is not PEM: expected the PEM private key/.test(m)), found.join('\n'))
    assert.ok(!found.some((m) => m.includes('bm90IGEga2V5')), 'the key is never echoed')
    const empty = messages(file, { NO_SUCH_CERT: '' })
    assert.ok(empty.some((m) => /server\.tls\.cert\.fromEnv: the environment variable NO_SUCH_CERT is empty/.test(m)), empty.join('\n'))
  })

  it('refuses a key that does not belong to the certificate, a missing key, and a secure address without tls', () => {
    const mismatch = alpha(`  secureBindAddress: 127.0.0.1:4443\n  tls:\n    cert: { fromFile: ${certPath} }\n    key: { fromEnv: OTHER_KEY }\n`)
    assert.ok(messages(mismatch, { OTHER_KEY }).some((m) => /server\.tls: the certificate and key do not load together/.test(m)))
    const noKey = alpha(`  secureBindAddress: 127.0.0.1:4443\n  tls:\n    cert: { fromFile: ${certPath} }\n`)
    assert.ok(messages(noKey).some((m) => /server\.tls: set server\.tls\.key/.test(m)))
    const noTls = alpha('  secureBindAddress: 127.0.0.1:4443\n')
    assert.ok(messages(noTls).some((m) => /server\.secureBindAddress: a secure bind address needs server\.tls with cert and key/.test(m)))
  })

  it('leaves the certificate unread when no secure bind address is set, as oauth2-proxy does', () => {
    const file = alpha(`  bindAddress: 127.0.0.1:4180\n  tls:\n    cert: { fromEnv: UNSET_CERT }\n    key: { fromEnv: UNSET_KEY }\n`)
    const config = load(file)
    assert.deepEqual(listenersOf(config), [{ address: '127.0.0.1:4180', tls: false }])
    assert.equal(tlsContentsOf(config), undefined)
  })
})
