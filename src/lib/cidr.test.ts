import { strict as assert } from 'node:assert'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { ProxyError } from '../errors.js'
import { createIpSet, isValidIpOrCidr } from './cidr.js'

describe('createIpSet', () => {
  it('matches single IPv4 and IPv6 addresses', () => {
    const set = createIpSet(['192.0.2.7', '2001:db8::1'])
    assert.equal(set.size, 2)
    assert.equal(set.has('192.0.2.7'), true)
    assert.equal(set.has('192.0.2.8'), false)
    assert.equal(set.has('2001:db8::1'), true)
    assert.equal(set.has('2001:0db8:0:0:0:0:0:0001'), true)
    assert.equal(set.has('2001:db8::2'), false)
  })

  it('matches CIDR ranges, keeping the network when host bits are set (as Go ParseCIDR)', () => {
    const set = createIpSet(['10.1.2.3/8', 'fd00::/8', '0.0.0.0/32'])
    assert.equal(set.has('10.255.0.1'), true)
    assert.equal(set.has('11.0.0.0'), false)
    assert.equal(set.has('fdff::1'), true)
    assert.equal(set.has('fe00::1'), false)
    assert.equal(set.has('0.0.0.0'), true)
    assert.equal(set.has('0.0.0.1'), false)
  })

  it('lets an IPv4-mapped IPv6 address match IPv4 entries and the reverse', () => {
    assert.equal(createIpSet(['127.0.0.0/8']).has('::ffff:127.0.0.1'), true)
    assert.equal(createIpSet(['::ffff:127.0.0.1']).has('127.0.0.1'), true)
    assert.equal(createIpSet(['::ffff:192.168.0.0/112']).has('192.168.9.9'), true)
  })

  it('keeps families apart like Go: ::/0 does not contain IPv4, 0.0.0.0/0 does not contain IPv6', () => {
    assert.equal(createIpSet(['::/0']).has('1.2.3.4'), false)
    assert.equal(createIpSet(['::/0']).has('::ffff:1.2.3.4'), false)
    assert.equal(createIpSet(['::/0']).has('2001:db8::1'), true)
    assert.equal(createIpSet(['0.0.0.0/0']).has('2001:db8::1'), false)
    assert.equal(createIpSet(['0.0.0.0/0']).has('8.8.8.8'), true)
    // IPv4-compatible (::a.b.c.d) is plain IPv6 to Go.
    assert.equal(createIpSet(['1.2.3.4']).has('::1.2.3.4'), false)
  })

  it('strips an IPv6 zone and surrounding spaces from the address asked for', () => {
    const set = createIpSet(['fe80::/10'])
    assert.equal(set.has('fe80::1%eth0'), true)
    assert.equal(set.has(' fe80::1 '), true)
  })

  it('answers false for addresses it cannot parse', () => {
    const set = createIpSet(['0.0.0.0/0', '::/0'])
    for (const bad of ['', 'localhost', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1.2.3.4/8', ':::', '1::2::3', 'g::1', '[::1]']) assert.equal(set.has(bad), false, bad)
  })

  it('throws on a bad entry, naming it', () => {
    for (const bad of ['', '1.2.3.4/33', '::/129', '10.0.0.0/', '10.0.0.0/x', '1.2.3.4/08', 'example.com', '1.2.3.4.5', '::1::']) {
      assert.throws(() => createIpSet([bad]), (e: unknown) => e instanceof ProxyError && e.code === 'ERR_CONFIG_INVALID' && e.message.includes(JSON.stringify(bad)), bad)
    }
  })
})

describe('isValidIpOrCidr', () => {
  it('accepts addresses and ranges of both families, refuses the rest', () => {
    for (const ok of ['1.2.3.4', '1.2.3.4/0', '255.255.255.255/32', '::', '::1/128', '2001:db8::/32', '::ffff:1.2.3.4', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:1.2.3.4']) assert.equal(isValidIpOrCidr(ok), true, ok)
    for (const bad of ['1.2.3.04', '1:2:3:4:5:6:7:8:9', '1.2.3.4::', '12345::', '::1/-1', '1.2.3.4 /8', '*']) assert.equal(isValidIpOrCidr(bad), false, bad)
  })
})

// ---- reference: addresses as 128-bit strings of bits, families decided like Go's To4() -------------------------

function bitsOfV4(ip: string): string {
  return ip.split('.').map((p) => Number(p).toString(2).padStart(8, '0')).join('')
}

function bitsOfV6(groups: number[]): string {
  return groups.map((g) => g.toString(2).padStart(16, '0')).join('')
}

const MAPPED_PREFIX = '0'.repeat(80) + '1'.repeat(16)

interface RefNet {
  bits: string
  prefix: number
}

function refHas(nets: RefNet[], bits: string): boolean {
  const v4 = bits.startsWith(MAPPED_PREFIX)
  return nets.some((n) => n.bits.slice(0, n.prefix) === bits.slice(0, n.prefix) && n.bits.startsWith(MAPPED_PREFIX) === v4 && (n.prefix >= 96 || !v4))
}

const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((parts) => parts.join('.'))
const v6Groups = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 })
type Addr = { text: string; bits: string }
const address: fc.Arbitrary<Addr> = fc.oneof(
  v4.map((text) => ({ text, bits: MAPPED_PREFIX + bitsOfV4(text) })),
  v4.map((text) => ({ text: `::ffff:${text}`, bits: MAPPED_PREFIX + bitsOfV4(text) })),
  v6Groups.map((g) => ({ text: g.map((x) => x.toString(16)).join(':'), bits: bitsOfV6(g) })),
  // Addresses near a small pool, so matches actually happen.
  fc.constantFrom('10.0.0.1', '10.0.255.255', '192.168.1.1', '2001:db8::1', '2001:db8:ffff::1', '::1').map((text) =>
    text.includes(':') ? { text, bits: bitsOfV6(expand(text)) } : { text, bits: MAPPED_PREFIX + bitsOfV4(text) },
  ),
)

function expand(text: string): number[] {
  const [head = '', tail = ''] = text.split('::')
  const h = head === '' ? [] : head.split(':').map((x) => parseInt(x, 16))
  const t = tail === '' ? [] : tail.split(':').map((x) => parseInt(x, 16))
  return [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t]
}

const entry = fc.tuple(address, fc.nat(128)).map(([a, p]) => {
  const isV4Text = !a.text.includes(':')
  const prefix = isV4Text ? p % 33 : p
  return { text: `${a.text}/${prefix}`, net: { bits: a.bits.slice(0, isV4Text ? prefix + 96 : prefix).padEnd(128, '0'), prefix: isV4Text ? prefix + 96 : prefix } }
})

describe('createIpSet: property', () => {
  it('agrees with a bit-string reference on random entries and addresses', () => {
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 5 }), fc.array(address, { minLength: 1, maxLength: 10 }), (entries, addresses) => {
        const set = createIpSet(entries.map((e) => e.text))
        const nets = entries.map((e) => e.net)
        for (const a of addresses) assert.equal(set.has(a.text), refHas(nets, a.bits), `${a.text} in ${entries.map((e) => e.text).join(',')}`)
      }),
      { numRuns: 2000 },
    )
  })
})
