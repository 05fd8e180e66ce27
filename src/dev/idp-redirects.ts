// Redirect URI patterns for development clients. oidc-provider only knows exact URIs, so patterns
// are kept here, a placeholder URI is registered in their stead, and the client model's checks are
// widened to accept a match.
import type { OidcClient, Provider } from 'oidc-provider'
import type { DevClient } from './idp-types.js'

/** True when the URI is a pattern (`*` = one or more letters, digits, `-` or `_`; `**` = anything). */
export function isPattern(uri: string): boolean {
  return uri.includes('*')
}

/** Compiles a redirect URI pattern to an anchored regular expression. */
export function compilePattern(pattern: string): RegExp {
  let source = ''
  for (let i = 0; i < pattern.length; i += 1) {
    const char = pattern[i] ?? ''
    if (char === '*' && pattern[i + 1] === '*') {
      source += '.*'
      i += 1
    } else if (char === '*') {
      // A port, one host label or one plain path segment: never `.`, `@`, `:` or `/`, so a
      // pattern cannot be stretched to another host (`127.0.0.1:*` vs `127.0.0.1:80@evil.example`).
      source += '[A-Za-z0-9_-]+'
    } else {
      source += char.replace(/[.+?^${}()|[\]\\]/g, '\\$&')
    }
  }
  return new RegExp(`^${source}$`)
}

/** A valid URI standing in for a pattern in the client metadata (`*` becomes `1`, `**` is dropped). */
export function placeholderFor(pattern: string): string {
  return pattern.replace(/\*\*/g, '').replace(/\*/g, '1')
}

/** Exact URIs for the metadata: the exact ones as given, patterns replaced by placeholders. */
export function metadataUris(uris: readonly string[]): string[] {
  return [...new Set(uris.map((u) => (isPattern(u) ? placeholderFor(u) : u)))]
}

interface ClientPatterns {
  redirect: RegExp[]
  postLogout: RegExp[]
}

/** Widens `redirectUriAllowed` / `postLogoutRedirectUriAllowed` of the provider's client model to the patterns. */
export function allowRedirectPatterns(provider: Provider, clients: readonly DevClient[]): void {
  const byClient = new Map<string, ClientPatterns>()
  for (const client of clients) {
    byClient.set(client.clientId, {
      redirect: client.redirectUris.filter(isPattern).map(compilePattern),
      postLogout: (client.postLogoutRedirectUris ?? []).filter(isPattern).map(compilePattern),
    })
  }
  const proto = provider.Client.prototype
  const exactRedirect = proto.redirectUriAllowed
  const exactPostLogout = proto.postLogoutRedirectUriAllowed
  proto.redirectUriAllowed = function redirectUriAllowed(this: OidcClient, value: string): boolean {
    if (exactRedirect.call(this, value)) return true
    return (byClient.get(this.clientId)?.redirect ?? []).some((re) => re.test(value))
  }
  proto.postLogoutRedirectUriAllowed = function postLogoutRedirectUriAllowed(this: OidcClient, value: string): boolean {
    if (exactPostLogout.call(this, value)) return true
    return (byClient.get(this.clientId)?.postLogout ?? []).some((re) => re.test(value))
  }
}
