import { tlsFilesOf } from './listeners.js'
import type { Config } from './schema.js'

/** The logo value is a file only when it is neither hidden ("-") nor a URL. */
function logoFile(value: string): string[] {
  return value === '' || value === '-' || /^https?:\/\//i.test(value) ? [] : [value]
}

/**
 * Every file (or directory) whose contents a reload reads again: the cfg and alpha files and what the options name, in a stable
 * order without duplicates. Files read only at start (restart-only options: the cookie secret, TLS roots of the
 * provider and Redis clients, the metrics listener's certificate) are left out: a reload does not apply them.
 */
export function reloadableFiles(config: Config, configFiles: ReadonlyArray<string | undefined>): string[] {
  const files = [
    ...configFiles.filter((f): f is string => f !== undefined),
    config.clientSecretFile,
    config.authenticatedEmailsFile,
    config.htpasswdFile,
    config.customTemplatesDir,
    ...logoFile(config.customSignInLogo),
    ...tlsFilesOf(config),
    ...config.oidcPublicKeyFiles,
    config.googleServiceAccountJson,
    config.jwtKeyFile,
  ]
  return [...new Set(files.filter((f) => f !== ''))]
}
