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
