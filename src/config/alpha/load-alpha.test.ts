import { strict as assert } from 'node:assert'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { ConfigError } from '../../errors.js'
import { loadConfig } from '../load.js'
import { providerEntries, structuredOf } from '../provider-entries.js'
import { ALPHA_PROVIDER } from '../../../test/helpers/alpha-provider.js'
import { selfSignedCert } from '../../../test/helpers/self-signed.js'
import { substituteEnv } from './envsubst.js'

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-alpha-'))
let n = 0
function yamlFile(text: string): string {
  const path = join(dir, `a${n++}.yaml`)
  writeFileSync(path, text)
  return path
}

const CORE = ['--cookie-secret=0123456789abcdef', '--email-domain=*']
const PROVIDER = ALPHA_PROVIDER

function messages(argv: string[], env: Record<string, string> = {}): string[] {
  try {
    loadConfig({ argv, env })
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err))
    return err.message.split('\n').slice(1).map((line) => line.trim().replace(`${dir}/`, ''))
  }
  assert.fail('expected a ConfigError')
}

function config(argv: string[], env: Record<string, string> = {}) {
  const r = loadConfig({ argv, env })
  assert.equal(r.kind, 'config')
  if (r.kind !== 'config') throw new Error('unreachable')
  return r.config
}

describe('substituteEnv', () => {
  it('replaces ${VAR} forms as envsubst does and keeps $1 references', () => {
    const env = { A: 'x', EMPTY: '' }
    assert.equal(substituteEnv('${A} $A ${B} ${B:-d} ${EMPTY:-d} ${EMPTY-d} ${A:+alt} ${B+alt} $$ /$1/${2}', env), 'x x  d d  alt  $ /$1/${2}')
  })
})

describe('--alpha-config loading', () => {
  it('loads an oauth2-proxy alpha file: upstreams, headers, listeners, providers, and keeps routes and sites raw', () => {
    const file = yamlFile(`upstreamConfig:
  proxyRawPath: true
  upstreams:
    - id: app
      path: /
      uri: http://127.0.0.1:8080
      passHostHeader: false
      timeout: 5s
      flushInterval: 0.5
    - id: api
      path: ^/api/(.*)$
      rewriteTarget: /v2/$1
      uri: http://127.0.0.1:8081
    - id: ok
      path: /healthz
      static: true
      staticCode: 204
injectRequestHeaders:
  - name: X-Forwarded-User
    values:
      - claimSource:
          claim: user
  - name: X-Api-Key
    preserveRequestValue: true
    values:
      - secretSource:
          fromEnv: API_KEY
injectResponseHeaders:
  - name: Authorization
    values:
      - claimSource:
          claim: user
          basicAuthPassword:
            value: c3VwZXItc2VjcmV0
server:
  bindAddress: 127.0.0.1:4999
metricsServer:
  bindAddress: 127.0.0.1:9100
${PROVIDER}    loginURLParameters:
      - name: prompt
        default: [login]
  - id: second
    provider: github
    clientID: gh
    clientSecret: \${GH_SECRET}
routes:
  - id: app
    hosts: [app.example.com]
sites: [{ hosts: [a.example.com] }]
`)
    const c = config([...CORE, '--alpha-config', file], { API_KEY: 'k', GH_SECRET: 'g' })
    const s = structuredOf(c)
    assert.equal(s.upstreamConfig.proxyRawPath, true)
    assert.deepEqual(s.upstreamConfig.upstreams.map((u) => [u.id, u.passHostHeader, u.timeout, u.flushInterval, u.static, u.staticCode]), [
      ['app', false, 5_000, 1_000 * 0.5, false, 200],
      ['api', true, 30_000, 1_000, false, 200],
      ['ok', false, 30_000, 1_000, true, 204],
    ])
    assert.equal(s.injectRequestHeaders[1]?.values[0]?.secretSource?.resolved, 'k')
    // §2.4: value is used literally, not base64-decoded.
    assert.equal(s.injectResponseHeaders[0]?.values[0]?.claimSource?.basicAuthPassword?.resolved, 'c3VwZXItc2VjcmV0')
    assert.equal(c.httpAddress, '127.0.0.1:4999')
    assert.equal(c.metricsAddress, '127.0.0.1:9100')
    assert.equal(c.clientId, 'app')
    // The legacy prompt options stay empty: the provider sends its block's loginURLParameters.
    assert.equal(c.prompt, '')
    assert.equal(c.approvalPrompt, '')
    assert.deepEqual(providerEntries(c)[0]?.block.loginURLParameters, [{ name: 'prompt', default: ['login'], allow: [] }])
    assert.deepEqual(providerEntries(c).map((e) => [e.id, e.settings.provider, e.settings.clientId, e.settings.clientSecret]), [
      ['idp', 'oidc', 'app', 's3cret'],
      ['second', 'github', 'gh', 'g'],
    ])
    assert.deepEqual(s.extensions, { routes: [{ id: 'app', hosts: ['app.example.com'] }], sites: [{ hosts: ['a.example.com'] }] })
  })

  it('starts no plain HTTP listener without server.bindAddress', () => {
    const c = config([...CORE, '--alpha-config', yamlFile(PROVIDER)])
    assert.equal(c.httpAddress, '')
  })

  it('accepts keys case-insensitively, as mapstructure matches them', () => {
    const c = config([...CORE, '--alpha-config', yamlFile(`${PROVIDER}    adfsconfig: {}\n    OIDCConfig:\n      issuerurl: https://other.example.com/\n`)])
    assert.equal(c.oidcIssuerUrl, 'https://other.example.com/')
  })

  it('lists every problem at once, each with its line:col and path', () => {
    const file = yamlFile(`upstreamConfig:
  upstreams:
    - id: app
      path: /
      uri: http://127.0.0.1:8080
    - id: app
      pathx: /x
      path: /(unclosed
      rewriteTarget: /$1
      uri: http://127.0.0.1:8081
      timeout: soon
      staticCode: 201
injectRequestHeaders:
  - name: X-A
    values:
      - claimSource: { claim: user }
        secretSource: { value: v }
      - secretSource: { value: a, fromEnv: B }
server:
  bindAddress: 4180
providers:
  - id: idp
    provider: oidc
    clientID: app
    clientSecret: s
    oidcConfig: { issuerURL: https://idp.example.com/ }
    loginURLParameters:
      - name: login_hint
        allow:
          - pattern: '[a-'
  - id: idp
    provider: oidc
    clientID: other
    clientSecret: s
    oidcConfig: { issuerURL: https://idp.example.com/ }
extra: true
`)
    assert.deepEqual(messages([...CORE, '--alpha-config', file, '--upstream=http://x/', '--pass-host-header=false']), [
      '--upstream: not available with --alpha-config: set upstreamConfig.upstreams[].uri in the alpha file instead',
      '--pass-host-header: not available with --alpha-config: set upstreamConfig.upstreams[].passHostHeader in the alpha file instead',
      `${file.replace(`${dir}/`, '')}:7:7 upstreamConfig.upstreams[1].pathx: unknown key`,
      `${file.replace(`${dir}/`, '')}:11:7 upstreamConfig.upstreams[1].timeout: "soon" is not a duration: expected a number before each unit (e.g. 1h30m)`,
      `${file.replace(`${dir}/`, '')}:20:3 server.bindAddress: expected a string, got a number`,
      `${file.replace(`${dir}/`, '')}:36:1 extra: unknown key`,
      `${file.replace(`${dir}/`, '')}:16:9 injectRequestHeaders[0].values[0]: set exactly one of claimSource or secretSource`,
      `${file.replace(`${dir}/`, '')}:18:9 injectRequestHeaders[0].values[1].secretSource: set only one of value, fromEnv or fromFile, not value and fromEnv`,
      `${file.replace(`${dir}/`, '')}:6:7 upstreamConfig.upstreams[1].id: multiple upstreams found with id "app": upstream ids must be unique`,
      `${file.replace(`${dir}/`, '')}:8:7 upstreamConfig.upstreams[1].path: "/(unclosed" is not a valid regular expression: Invalid regular expression: //(unclosed/u: Unterminated group`,
      `${file.replace(`${dir}/`, '')}:12:7 upstreamConfig.upstreams[1].staticCode: upstream "app" has staticCode (201), but is not a static upstream, set 'static' for a static response`,
      `${file.replace(`${dir}/`, '')}:30:13 providers[0].loginURLParameters[0].allow[0].pattern: "[a-" is not a valid regular expression: missing closing ]`,
      `${file.replace(`${dir}/`, '')}:31:5 providers[1].id: multiple providers found with id "idp" (also providers[0]): provider ids must be unique`,
    ])
  })

  it('takes every loginURLParameters name, additionalClaims and ADFSConfig.skipScope; refuses a parameter named twice', () => {
    const provider = `providers:
  - id: adfs
    provider: adfs
    clientID: app
    clientSecret: s
    oidcConfig: { issuerURL: https://idp.example.com/ }
    ADFSConfig: { skipScope: true }
    additionalClaims: [department, org.name]
    loginURLParameters:
      - name: login_hint
        allow: [{ pattern: '^[^@]*@example\\.com$' }]
      - name: prompt
        default: [login]
        allow: [{ value: consent }]
`
    const c = config([...CORE, '--alpha-config', yamlFile(provider)])
    const block = providerEntries(c)[0]?.block
    assert.deepEqual(block?.additionalClaims, ['department', 'org.name'])
    assert.equal(block?.ADFSConfig['skipScope'], true)
    assert.deepEqual(block?.loginURLParameters.map((p) => [p.name, p.default, p.allow]), [
      ['login_hint', [], [{ pattern: '^[^@]*@example\\.com$' }]],
      ['prompt', ['login'], [{ value: 'consent' }]],
    ])
    const twice = yamlFile(`${provider}      - name: prompt\n        default: [consent]\n`)
    assert.deepEqual(messages([...CORE, '--alpha-config', twice]), [
      `${twice.replace(`${dir}/`, '')}:15:9 providers[0].loginURLParameters[2].name: parameter prompt provided more than once in loginURLParameters (also providers[0].loginURLParameters[1]): merge them into one entry`,
    ])
  })

  it('passes server.tls.cipherSuites to the HTTPS listener and checks them with the alpha path', () => {
    const { certPath: cert, keyPath: key } = selfSignedCert(dir)
    const server = (suites: string) => `server:\n  secureBindAddress: 127.0.0.1:4443\n  tls:\n    cert: { fromFile: ${cert} }\n    key: { fromFile: ${key} }\n    cipherSuites: [${suites}]\n${PROVIDER}`
    const c = config([...CORE, '--alpha-config', yamlFile(server('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'))])
    assert.deepEqual(c.tlsCipherSuites, ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'])
    assert.ok(messages([...CORE, '--alpha-config', yamlFile(server('TLS_NOPE'))]).some((m) => /server\.tls\.cipherSuites.*unknown TLS cipher suite name/.test(m)))
  })

  it('reports YAML syntax errors with line and column', () => {
    const file = yamlFile('providers:\n  - id: a\n    clientID: [x\n')
    const [first, ...rest] = messages([...CORE, '--alpha-config', file])
    assert.match(first ?? '', /:4:1: YAML syntax error: /)
    assert.equal(rest.length, 0)
    assert.match(messages([...CORE, '--alpha-config', yamlFile('a: 1\na: 2\n')])[0] ?? '', /:2:1: YAML syntax error: Map keys must be unique/)
  })

  it('refuses an unreadable file, an empty provider list, and --convert-config-to-alpha with --alpha-config or --config-test', () => {
    assert.deepEqual(messages([...CORE, '--alpha-config', join(dir, 'missing.yaml')]), [`--alpha-config="missing.yaml": cannot read the alpha config file: no such file`])
    assert.ok(messages([...CORE, '--alpha-config', yamlFile('server: { bindAddress: ":4180" }\n')]).some((m) => m.endsWith('providers: at least one provider is required')))
    assert.ok(messages([...CORE, '--convert-config-to-alpha', '--config-test']).includes('--convert-config-to-alpha: cannot use --config-test and --convert-config-to-alpha together'))
  })
})
