import { strict as assert } from 'node:assert'
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { ConfigError } from '../errors.js'
import { loadConfig } from './load.js'

const SECRET = 'WPhMdy4iqkV_8WqZqrAaASi6jPuDlBgZp2Hfm_JAZnE='
const BASE = ['--provider=oidc', '--oidc-issuer-url=https://idp.example.com', '--client-id=app', '--client-secret=s3cret', `--cookie-secret=${SECRET}`, '--email-domain=example.com']
const MANUAL = ['--skip-oidc-discovery', '--login-url=https://idp.example.com/auth', '--redeem-url=https://idp.example.com/token']

function outcome(argv: string[], env: Record<string, string> = {}): { messages: string[]; warnings: string[] } {
  try {
    const result = loadConfig({ argv, env })
    return { messages: [], warnings: result.kind === 'config' ? result.warnings : [] }
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err))
    return { messages: err.issues.map((i) => `${i.option}${i.value === undefined ? '' : `=${i.value}`}: ${i.message}`), warnings: [] }
  }
}

function file(name: string, content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'gatehouse-identity-')), name)
  writeFileSync(path, content)
  return path
}

describe('identity checks that read files and the environment', () => {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const publicPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString()
  const privatePem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()

  it('--oidc-public-key-file takes PEM PUBLIC KEY files and names any other', () => {
    assert.deepEqual(outcome([...BASE, ...MANUAL, `--oidc-public-key-file=${file('k.pem', publicPem)}`]).messages, [])
    const bad = file('private.pem', privatePem)
    assert.deepEqual(outcome([...BASE, ...MANUAL, `--oidc-public-key-file=${bad}`]).messages, [
      `--oidc-public-key-file=${bad}: the first PEM block is PRIVATE KEY, expected a PUBLIC KEY (openssl pkey -pubout turns a private key into one)`,
    ])
    assert.match(outcome([...BASE, ...MANUAL, `--oidc-public-key-file=${file('x.pem', 'hello')}`]).messages.join(), /no PEM block/)
    assert.match(outcome([...BASE, ...MANUAL, `--oidc-public-key-file=${file('k.pem', publicPem)}`, '--oidc-jwks-url=https://idp.example.com/jwks']).messages.join(), /either --oidc-jwks-url or --oidc-public-key-file/)
  })

  it('--oidc-public-key-file without --skip-oidc-discovery is ignored with a warning, as oauth2-proxy ignores it', () => {
    const { messages, warnings } = outcome([...BASE, `--oidc-public-key-file=${file('k.pem', publicPem)}`])
    assert.deepEqual(messages, [])
    assert.ok(warnings.some((w) => w.includes('only read with --skip-oidc-discovery')), warnings.join('\n'))
  })

  it('--entra-id-federated-token-auth needs no secret but a readable AZURE_FEDERATED_TOKEN_FILE', () => {
    const entra = ['--provider=entra-id', '--oidc-issuer-url=https://login.microsoftonline.com/t/v2.0', '--client-id=app', `--cookie-secret=${SECRET}`, '--email-domain=*', '--entra-id-federated-token-auth']
    assert.deepEqual(outcome(entra, { AZURE_FEDERATED_TOKEN_FILE: file('token', 'eyJ.x.y') }).messages, [])
    assert.match(outcome(entra).messages.join(), /AZURE_FEDERATED_TOKEN_FILE is not set/)
    assert.match(outcome(entra, { AZURE_FEDERATED_TOKEN_FILE: '/nonexistent/token' }).messages.join(), /cannot read the federated token file .*ENOENT/)
    assert.match(outcome(entra.filter((a) => a !== '--entra-id-federated-token-auth')).messages.join(), /a client secret is required/)
  })
})
