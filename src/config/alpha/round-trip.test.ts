import { strict as assert } from 'node:assert'
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, it } from 'node:test'
import { compileLoginParameters } from '../../auth/login-parameters.js'
import { parse as parseToml, stringify as stringifyToml } from 'smol-toml'
import { createHeaderInjector, injectorPlanOf } from '../../headers/inject.js'
import type { Session } from '../../session/session.js'
import { createUpstreamTable } from '../../upstream/table.js'
import { loadConfig, type LoadInput } from '../load.js'
import { providerEntries, structuredOf } from '../provider-entries.js'
import { optionByCfg, type Config } from '../schema.js'
import { printAlpha } from './print.js'
import { REPLACED_BY_ALPHA } from './replaced.js'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

function cfgFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return cfgFiles(path)
    return name.endsWith('.cfg') ? [path] : []
  })
}

/** Every cfg file the suite and the docs ship. */
const FIXTURES = [...cfgFiles(join(ROOT, 'test/fixtures/configs')), ...cfgFiles(join(ROOT, 'docs/examples'))]

/** The values the examples read from the environment (the docs set them with OAUTH2_PROXY_* variables). */
const ENV = { OAUTH2_PROXY_COOKIE_SECRET: '0123456789abcdef0123456789abcdef', OAUTH2_PROXY_CLIENT_SECRET: 'example-secret' }

/** Files an example names by its installed path, found beside it in the repository. */
function localFiles(fixture: string): string[] {
  const text = readFileSync(fixture, 'utf8')
  const here = join(fixture, '..')
  return [
    ...(text.includes('custom_templates_dir') ? [`--custom-templates-dir=${join(here, 'templates')}`] : []),
    ...(text.includes('custom_sign_in_logo') ? [`--custom-sign-in-logo=${join(here, 'logo.svg')}`] : []),
  ]
}

function loaded(input: LoadInput): Config {
  const r = loadConfig(input)
  assert.equal(r.kind, 'config')
  return (r as { config: Config }).config
}

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-round-trip-'))

/** The cfg file without the options the alpha file replaces: what a user keeps beside it. */
function coreCfg(path: string, out: string): void {
  const doc = parseToml(readFileSync(path, 'utf8'))
  for (const key of Object.keys(doc)) {
    const meta = optionByCfg.get(key)
    if (meta !== undefined && REPLACED_BY_ALPHA.has(meta.key)) delete doc[key]
  }
  writeFileSync(out, stringifyToml(doc))
}

const LOGIN_PARAMETER_KEYS = new Set(['prompt', 'approvalPrompt', 'acrValues'])

const loginParamsOf = (c: Config) => providerEntries(c).map((e) => compileLoginParameters(e.block.loginURLParameters).resolve())

/** The options not replaced by the alpha file, plus the listener and provider ones it folds back in. */
function comparable(c: Config): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(c)) {
    // The prompt options become loginURLParameters, compared as the parameters the login URL gets.
    if (key === 'structured' || key === 'forceCodeChallengeMethod' || LOGIN_PARAMETER_KEYS.has(key)) continue
    const meta = optionByCfg.get(key.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`))
    if (meta !== undefined && (meta.group === 'upstreams' || meta.group === 'headers')) continue
    out[key] = value
  }
  return out
}

const SESSION: Session = {
  user: 'alice',
  email: 'alice@example.com',
  groups: ['admins', 'dev'],
  preferredUsername: 'al',
  accessToken: 'at',
  idToken: 'id',
  createdAt: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
}

describe('--convert-config-to-alpha: every cfg fixture, converted and loaded back, behaves the same', () => {
  assert.ok(FIXTURES.length >= 10, `found only ${FIXTURES.length} cfg fixtures`)
  for (const fixture of FIXTURES) {
    it(relative(ROOT, fixture), () => {
      const extra = localFiles(fixture)
      const legacy = loaded({ argv: ['--config', fixture, ...extra], env: ENV })
      const converted = loadConfig({ argv: ['--config', fixture, ...extra, '--convert-config-to-alpha'], env: ENV })
      assert.equal(converted.kind, 'convert')
      const base = join(dir, relative(ROOT, fixture).replace(/[/.]/g, '_'))
      writeFileSync(`${base}.yaml`, (converted as { text: string }).text)
      coreCfg(fixture, `${base}.cfg`)
      const alpha = loaded({ argv: ['--config', `${base}.cfg`, ...extra, '--alpha-config', `${base}.yaml`], env: ENV })

      // Same options, listeners and provider settings.
      assert.deepEqual(comparable(alpha), comparable(legacy))
      assert.deepEqual(providerEntries(alpha).map((e) => e.id), providerEntries(legacy).map((e) => e.id))
      assert.deepEqual(loginParamsOf(alpha), loginParamsOf(legacy))
      // Same routes, with the same per-upstream options.
      assert.equal(JSON.stringify(createUpstreamTable(structuredOf(alpha).upstreamConfig).targets), JSON.stringify(createUpstreamTable(structuredOf(legacy).upstreamConfig).targets))
      // Same headers, in both directions, and the same stripping.
      const a = createHeaderInjector(injectorPlanOf(alpha))
      const l = createHeaderInjector(injectorPlanOf(legacy))
      assert.deepEqual(a.upstreamHeaders(SESSION), l.upstreamHeaders(SESSION))
      assert.deepEqual(a.responseHeaders(SESSION), l.responseHeaders(SESSION))
      const client = { 'x-forwarded-user': 'mallory', X_Forwarded_Email: 'm@example.com', authorization: 'Basic x', 'x-auth-request-user': 'm' }
      assert.deepEqual(a.headersToStrip(client), l.headersToStrip(client))
      // The alpha file's structured form converts back to the same file: the conversion is a fixed point.
      assert.equal(printAlpha(structuredOf(alpha)), (converted as { text: string }).text)
    })
  }
})
