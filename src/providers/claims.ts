/** Reads a claim by name, or by dotted path (`realm_access.roles`); a literal key with dots wins, as in oauth2-proxy. */
export function getClaim(claims: Readonly<Record<string, unknown>>, path: string): unknown {
  if (Object.hasOwn(claims, path)) return claims[path]
  let current: unknown = claims
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined
    current = (current as Record<string, unknown>)[part]
  }
  return current
}

/** Groups from a claim value: a string is one group, arrays keep strings and JSON-encode anything else. */
export function claimToGroups(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value === 'string') return [value]
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)))
  return [JSON.stringify(value)]
}

/** A claim as a string, or undefined when absent or not a string. */
export function claimToString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

/**
 * oauth2-proxy's audience rule: the first of `claimNames` (default `aud`) present in the claims must hold one of the
 * accepted audiences. Returns why not, or undefined when it does.
 */
export function audienceProblem(claims: Record<string, unknown>, accepted: readonly string[], claimNames: readonly string[]): string | undefined {
  for (const name of claimNames.length > 0 ? claimNames : ['aud']) {
    const value = getClaim(claims, name)
    if (value === undefined) continue
    const values = Array.isArray(value) ? value : [value]
    return values.some((v) => typeof v === 'string' && accepted.includes(v)) ? undefined : `audience claim "${name}" names no accepted audience`
  }
  return 'the token has no audience claim'
}
