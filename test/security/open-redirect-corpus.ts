import { readFileSync } from 'node:fs'

/** The whitelist every corpus payload must be refused under (`--whitelist-domain` values). */
export const CORPUS_WHITELIST: readonly string[] = ['.example.com', 'app.example.org:8443']

/** Redirects the validator must keep accepting under CORPUS_WHITELIST: same-site paths and whitelisted absolute URLs. */
export const LEGITIMATE_REDIRECTS: readonly string[] = [
  '/',
  '/path',
  '/path?x=1#frag',
  '/a/b/c/',
  '/a.b/c.d',
  '/~user/profile',
  '/..hidden/file',
  '/a/.well-known/openid-configuration',
  '/search?q=a%20b',
  '/a%2Fb',
  '/caf%C3%A9',
  '/café',
  '/path;param=1',
  '/path?redirect=%2Fhome',
  '/path?next=https%3A%2F%2Fa.example.com%2F',
  '/a?b=c&d=e',
  '/#/spa/route',
  '/app#/settings/profile',
  '/?x=1',
  '/@user',
  '/users/a@b.example.com',
  '/user:pass',
  '/a-b_c.d~e',
  '/oauth2/sign_in?rd=%2Fhome',
  '/dashboard?tab=1&sort=-created',
  '/%E2%9C%93',
  'https://a.example.com/x',
  'https://a.example.com',
  'https://example.com',
  'https://example.com/',
  'http://example.com/x?y=1#z',
  'https://deep.sub.example.com/',
  'https://A.Example.COM/path',
  'https://x-y.example.com/',
  'https://x_y.example.com/',
  'https://app.example.org:8443/',
  'https://app.example.org:8443',
  'http://app.example.org:8443/x',
  'https://a.example.com/path?next=https://evil.test',
  'https://a.example.com/@evil.test',
  'https://a.example.com?x=@evil',
  'https://a.example.com#@evil.test',
  'https://xn--80ak6aa92e.example.com/',
  'https://a.example.com/%2F%2Fevil.test',
  'https://a.example.com/a/../b',
  'https://1.example.com/',
]

/** One corpus payload with the section comment it sits under and its line number, for readable failures. */
export interface CorpusPayload {
  value: string
  section: string
  line: number
}

/** Decodes the corpus escapes: `\xHH` is a byte/code point below 0x100, `\u{H..}` any code point; other backslashes are literal. */
export function decodeCorpusLine(line: string): string {
  return line.replace(/\\x([0-9a-fA-F]{2})|\\u\{([0-9a-fA-F]{1,6})\}/g, (_m, byte: string | undefined, cp: string | undefined) =>
    String.fromCodePoint(parseInt(byte ?? cp ?? '', 16)),
  )
}

/** Reads test/security/open-redirects.txt into payloads, keeping the section comment each one belongs to. */
export function loadCorpus(): CorpusPayload[] {
  const text = readFileSync(new URL('./open-redirects.txt', import.meta.url), 'utf8')
  const payloads: CorpusPayload[] = []
  let section = ''
  text.split('\n').forEach((line, index) => {
    if (line === '') {
      section = ''
      return
    }
    if (line.startsWith('#')) {
      section = line.slice(1).trim()
      return
    }
    payloads.push({ value: decodeCorpusLine(line), section, line: index + 1 })
  })
  return payloads
}
