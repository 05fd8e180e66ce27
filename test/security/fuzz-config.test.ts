// Property-based tests (fast-check) of the configuration parser (src/config/load.ts): random flags, values and
// OAUTH2_PROXY_* variables either load or fail with one ConfigError listing the problems, never another exception;
// whatever loads is frozen. Class: caddy-security CVE-2024-21493 (config parser panics on missing values).
import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import './fuzz-seed.js'
import { loadConfig } from '../../src/config/load.js'
import { OPTIONS } from '../../src/config/schema.js'
import { ConfigError } from '../../src/errors.js'

// File options would read the machine's files; their parsing is covered by src/config tests.
const FLAGS = OPTIONS.map((o) => o.flag).filter((f) => !/file|dir|^config$/.test(f))
const ENVS = OPTIONS.filter((o) => !/file|dir/.test(o.flag)).map((o) => o.env)
const BASE = ['--provider=oidc', '--oidc-issuer-url=https://idp.example.com', '--client-id=app', '--client-secret=s3cret', '--cookie-secret=0123456789abcdef0123456789abcdef', '--email-domain=*', '--upstream=http://127.0.0.1:1/']

const value = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('', 'true', 'false', '0', '-1', '1h', '10x', '999999999999999999999', 'http://[::1', '^/(', 'a,b,"c', '=', '==', '\u0000', '127.0.0.1:0', 'unix:///x'),
)
const flag = fc.tuple(fc.constantFrom(...FLAGS), value, fc.constantFrom('=', ' ', '-', '')).map(([f, v, style]) =>
  style === '=' ? [`--${f}=${v}`] : style === ' ' ? [`--${f}`, v] : style === '-' ? [`-${f}=${v}`] : [`--${f}`],
)

function load(argv: string[], env: Record<string, string>): void {
  try {
    const result = loadConfig({ argv, env })
    if (result.kind === 'config') assert.ok(Object.isFrozen(result.config))
  } catch (err) {
    assert.ok(err instanceof ConfigError, `not a ConfigError: ${String(err)} for ${JSON.stringify(argv)} ${JSON.stringify(env)}`)
    assert.ok(err.issues.length > 0)
  }
}

describe('fuzz: configuration parser', () => {
  it('random flags on top of a valid base: loads or one ConfigError', () => {
    fc.assert(fc.property(fc.array(flag, { maxLength: 6 }), (flags) => load([...BASE, ...flags.flat()], {})), { numRuns: 1_500 })
  })

  it('random OAUTH2_PROXY_* variables: loads or one ConfigError', () => {
    const env = fc.dictionary(fc.constantFrom(...ENVS), value, { maxKeys: 6 })
    fc.assert(fc.property(env, (e) => load(BASE, e)), { numRuns: 1_500 })
  })

  it('random argv words: loads, help, version or one ConfigError', () => {
    fc.assert(fc.property(fc.array(fc.string({ maxLength: 16 }), { maxLength: 6 }), (words) => load(words.filter((w) => !/^-+(config|c)\b/.test(w)), {})), { numRuns: 1_500 })
  })

  it('control: the base loads', () => {
    assert.equal(loadConfig({ argv: BASE, env: {} }).kind, 'config')
  })
})
