import { strict as assert } from 'node:assert'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { renderConfigDocs } from './docs.js'
import { renderHelp } from './help.js'
import { OPTIONS } from './schema.js'

describe('generated config docs and help', () => {
  it('docs/config.md matches the schema (regenerate with npm run docs:config)', () => {
    const committed = readFileSync(new URL('../../docs/config.md', import.meta.url), 'utf8')
    assert.equal(committed, renderConfigDocs())
  })

  it('documents every option with its three names and support', () => {
    const docs = renderConfigDocs()
    for (const o of OPTIONS) {
      const row = docs.split('\n').find((l) => l.startsWith(`| \`--${o.flag}\` |`))
      assert.ok(row, o.flag)
      assert.ok(row.includes(`\`${o.cfg}\``) && row.includes(`\`${o.env}\``), o.flag)
      assert.ok(row.endsWith(o.supported ? '| yes |' : '| not yet |'), o.flag)
    }
  })

  it('help lists every flag, marking the unsupported ones', () => {
    const help = renderHelp().split('\n')
    for (const o of OPTIONS) {
      const at = help.indexOf(`  --${o.flag} ${o.kind}`)
      assert.ok(at > 0, o.flag)
      const text = help[at + 1] ?? ''
      assert.ok(text.startsWith('        '), o.flag)
      assert.equal(text.endsWith('(not supported yet)'), !o.supported, o.flag)
    }
    const expire = help.indexOf('  --cookie-expire duration')
    assert.match(help[expire + 1] ?? '', /\(default 168h\)$/)
    assert.ok(help.includes('Cookies:'))
  })
})
