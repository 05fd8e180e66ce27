/**
 * Substitutes environment variables in the alpha file as oauth2-proxy does (a8m/envsubst, non-strict): `$VAR`,
 * `${VAR}`, `${VAR-default}`, `${VAR:-default}`, `${VAR=default}`, `${VAR:=default}`, `${VAR+alt}`, `${VAR:+alt}`;
 * `$$` is a literal `$`; an unset variable is empty. `$1`-style references are kept first, so rewrite targets survive.
 */
export function substituteEnv(text: string, env: Readonly<Record<string, string | undefined>>): string {
  // oauth2-proxy's normalizeSubstitution turns `$1` into `$$1`, which envsubst turns back into `$1`.
  const normalized = text.replace(/\$(\d+)/g, '$$$$$1')
  return normalized.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-=+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (match, braced?: string, op?: string, arg?: string, bare?: string) => {
    if (match === '$$') return '$'
    const name = braced ?? bare ?? ''
    const value = env[name]
    if (op === undefined) return value ?? ''
    const set = value !== undefined
    const nonEmpty = set && value !== ''
    switch (op) {
      case '-':
        return set ? value : (arg ?? '')
      case ':-':
      case ':=':
        return nonEmpty ? value : (arg ?? '')
      case '=':
        return set ? value : (arg ?? '')
      case '+':
        return set ? (arg ?? '') : ''
      default: // ':+'
        return nonEmpty ? (arg ?? '') : ''
    }
  })
}
