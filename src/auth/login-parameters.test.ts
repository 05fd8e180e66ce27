import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import { compileLoginParameters } from './login-parameters.js'

const q = (query: string): URLSearchParams => new URLSearchParams(query)

describe('compileLoginParameters (oauth2-proxy LoginURLParams)', () => {
  const params = compileLoginParameters([
    { name: 'organization', default: ['myorg'], allow: [] },
    { name: 'prompt', default: ['login'], allow: [{ value: 'consent' }, { value: 'select.account' }] },
    { name: 'login_hint', default: [], allow: [{ pattern: '^[^@]*@example\\.com$' }] },
    { name: 'ui_locales', default: ['en', 'fr'], allow: [{ pattern: 'de' }] },
  ])

  it('sends every default, all values of a name, when nothing overrides them', () => {
    assert.deepEqual(params.resolve(), [['organization', 'myorg'], ['prompt', 'login'], ['ui_locales', 'en'], ['ui_locales', 'fr']])
    assert.deepEqual(params.resolve(q('rd=/x&organization=evil')), params.resolve())
  })

  it('lets allowed values replace a default; value rules match exactly, pattern rules anywhere in the value', () => {
    const got = params.resolve(q('prompt=consent&login_hint=ann@example.com&ui_locales=de-CH'))
    assert.deepEqual(got, [['organization', 'myorg'], ['prompt', 'consent'], ['ui_locales', 'de-CH'], ['login_hint', 'ann@example.com']])
  })

  it('drops disallowed values; when none is left the default stays', () => {
    assert.deepEqual(params.resolve(q('prompt=none&prompt=consent')).filter(([k]) => k === 'prompt'), [['prompt', 'consent']])
    assert.deepEqual(params.resolve(q('prompt=consentx&prompt=selectXaccount')).filter(([k]) => k === 'prompt'), [['prompt', 'login']])
    assert.deepEqual(params.resolve(q('login_hint=ann@evil.com&login_hint=a@b@example.com')).filter(([k]) => k === 'login_hint'), [])
  })

  it('keeps the first declaration of a name (later ones are configuration errors)', () => {
    const first = compileLoginParameters([{ name: 'p', default: ['a'], allow: [] }, { name: 'p', default: ['b'], allow: [] }])
    assert.deepEqual(first.resolve(), [['p', 'a']])
  })
})
