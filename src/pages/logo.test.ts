import { strict as assert } from 'node:assert'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { DEFAULT_LOGO, logoProblem, readLogo } from './logo.js'

describe('--custom-sign-in-logo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-logo-'))
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')
  writeFileSync(join(dir, 'logo.PNG'), png)
  writeFileSync(join(dir, 'logo.jpeg'), Buffer.from([0xff, 0xd8, 0xff]))
  writeFileSync(join(dir, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
  writeFileSync(join(dir, 'logo.gif'), 'GIF89a')

  it('uses gatehouse\'s inline logo when empty and none with "-"', () => {
    assert.equal(readLogo(''), DEFAULT_LOGO)
    assert.match(DEFAULT_LOGO, /^<svg [^>]*role="img" aria-label="gatehouse"/)
    assert.equal(readLogo('-'), '')
  })

  it('inlines files as data URIs of the right type (an SVG inside <img> runs no script)', () => {
    assert.equal(readLogo(join(dir, 'logo.PNG')), `<img src="data:image/png;base64,${png.toString('base64')}" alt="Logo">`)
    assert.equal(readLogo(join(dir, 'logo.jpeg')), '<img src="data:image/jpeg;base64,/9j/" alt="Logo">')
    assert.match(readLogo(join(dir, 'logo.svg')), /^<img src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+" alt="Logo">$/)
  })

  it('points an <img> at an http(s) URL, escaped', () => {
    assert.equal(readLogo('https://cdn.example.com/a.png?x=1&y="2"'), '<img src="https://cdn.example.com/a.png?x=1&amp;y=&quot;2&quot;" alt="Logo">')
    assert.equal(readLogo('http://cdn.example.com/a.svg'), '<img src="http://cdn.example.com/a.svg" alt="Logo">')
  })

  it('explains unreadable files and unknown types', () => {
    assert.match(logoProblem(join(dir, 'logo.gif')) ?? '', /unknown logo type "\.gif": use a \.svg, \.png, \.jpg or \.jpeg file/)
    assert.equal(logoProblem(join(dir, 'missing.png')), 'cannot read the logo file: no such file')
    assert.equal(logoProblem(join(dir, 'logo.PNG')), undefined)
  })
})
