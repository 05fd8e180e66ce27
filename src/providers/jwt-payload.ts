/**
 * The payload of a JWT without checking it, for tokens that came straight from the token endpoint over the back channel
 * (oauth2-proxy reads Azure access tokens and ADFS tokens this way); empty when absent, opaque or malformed.
 */
export function jwtPayload(token: string | undefined): Record<string, unknown> {
  const parts = token?.split('.')
  if (parts === undefined || parts.length !== 3 || parts[1] === undefined) return {}
  try {
    const value: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'))
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}
