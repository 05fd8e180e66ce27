import { strict as assert } from 'node:assert'
import { createHash } from 'node:crypto'
import { describe, it } from 'node:test'
import { bcryptHash } from '../crypto/bcrypt.js'
import { createHtpasswdValidator, parseHtpasswd } from './htpasswd.js'

const sha = (p: string): string => `{SHA}${createHash('sha1').update(p).digest('base64')}`

describe('parseHtpasswd', () => {
  it('reads comments, blank lines, CRLF and leading spaces as Go csv does', () => {
    const parsed = parseHtpasswd(`# team\r\n\r\nann: ${sha('a')}\r\n  ben:${sha('b')}\n`)
    assert.ok(parsed.ok)
    assert.deepEqual([...parsed.users.keys()], ['ann', 'ben'])
  })

  it('reports every bad line with its number', () => {
    const parsed = parseHtpasswd(`ok:${sha('x')}\nmd5:$apr1$x$y\n{SHA}:\nnocolon\nsha:{SHA}short\nbc:$2y$10$tooshort\n`)
    assert.ok(!parsed.ok)
    assert.equal(parsed.problems.length, 5)
    assert.deepEqual(parsed.problems.map((p) => p.split(':')[0]), ['line 2', 'line 3', 'line 4', 'line 5', 'line 6'])
  })
})

describe('htpasswd validator', () => {
  it('checks $2x$ like $2a$ (Go bcrypt), SHA in constant time, and forgets cached checks on replace', async () => {
    const hash = await bcryptHash('pw', 4)
    const parsed = parseHtpasswd(`x:$2x$${hash.slice(4)}\ns:${sha('sha-pw')}\n`)
    assert.ok(parsed.ok)
    const validator = createHtpasswdValidator(parsed.users)
    assert.equal(await validator.validate('x', 'pw'), true)
    assert.equal(await validator.validate('x', 'pw'), true)
    assert.equal(await validator.validate('x', 'PW'), false)
    assert.equal(await validator.validate('s', 'sha-pw'), true)
    assert.equal(await validator.validate('s', 'sha-pw '), false)
    assert.equal(await validator.validate('nobody', 'pw'), false)
    const other = parseHtpasswd(`x:${await bcryptHash('new', 4)}\n`)
    assert.ok(other.ok)
    validator.replace(other.users)
    assert.equal(await validator.validate('x', 'pw'), false, 'the old password no longer works')
    assert.equal(await validator.validate('x', 'new'), true)
  })
})
