import { strict as assert } from 'node:assert'
import { generateKeyPairSync } from 'node:crypto'
import { describe, it } from 'node:test'
import { generateSigningKey, parseKeyFile } from './signing-key.js'

const pkcs8 = (key: ReturnType<typeof generateKeyPairSync>['privateKey']): string => key.export({ type: 'pkcs8', format: 'pem' }) as string

describe('assertion signing keys', () => {
  it('reads every private key of a PEM file in order, with the algorithm of its type, skipping certificates', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
    const ed = generateKeyPairSync('ed25519').privateKey
    const sec1 = ec.export({ type: 'sec1', format: 'pem' }) as string
    const pkcs1 = rsa.export({ type: 'pkcs1', format: 'pem' }) as string
    const text = `${sec1}-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n${pkcs1}${pkcs8(ed)}`
    const keys = await parseKeyFile(text)
    assert.deepEqual(keys.map((k) => k.alg), ['ES256', 'RS256', 'EdDSA'])
    for (const key of keys) {
      assert.match(key.kid, /^[\w-]{43}$/)
      assert.deepEqual(Object.keys(key.jwk).sort(), (key.alg === 'ES256' ? ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y'] : key.alg === 'RS256' ? ['alg', 'e', 'kid', 'kty', 'n', 'use'] : ['alg', 'crv', 'kid', 'kty', 'use', 'x']).sort())
    }
    assert.equal((await parseKeyFile(sec1))[0]?.kid, keys[0]?.kid, 'the kid is the thumbprint: the same key has the same kid')
  })

  it('refuses a file without a key, an encrypted key and a key type that does not sign assertions', async () => {
    await assert.rejects(parseKeyFile('nothing here'), /no PEM private key/)
    const encrypted = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' }) as string
    await assert.rejects(parseKeyFile(encrypted), /key 1 is encrypted/)
    await assert.rejects(parseKeyFile(pkcs8(generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey)), /key 1 is an EC key on curve secp384r1/)
    await assert.rejects(parseKeyFile(pkcs8(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey)), /shorter than 2048 bits/)
  })

  it('generates a key of each algorithm', async () => {
    for (const alg of ['ES256', 'EdDSA', 'RS256'] as const) assert.equal((await generateSigningKey(alg)).alg, alg)
  })
})
