import { legacyProviderId, structuredFromLegacy } from './alpha/from-legacy.js'
import type { ProviderBlock, StructuredConfig } from './alpha/types.js'
import type { Config } from './shape.js'

/** One configured identity provider: its id, its display name, and the settings that build it. */
export interface ProviderEntry {
  /** `providers[].id`; for legacy options oauth2-proxy's id: the display name, else `<provider>=<client id>`. */
  readonly id: string
  /** The display name (`providers[].name` / `--provider-display-name`); empty means the type's default. */
  readonly name: string
  /** A full configuration with this provider's fields applied: `createProviderFromConfig(settings)` builds it. */
  readonly settings: Config
  /** The `providers[]` block (a legacy configuration's converted one): `loginURLParameters`, `additionalClaims`, ... */
  readonly block: ProviderBlock
}

const fromLegacy = new WeakMap<Config, StructuredConfig>()

/** The structured form of a configuration: the alpha file's, or the legacy options converted (once per config). */
export function structuredOf(config: Config): StructuredConfig {
  if (config.structured !== undefined) return config.structured
  let converted = fromLegacy.get(config)
  if (converted === undefined) {
    converted = structuredFromLegacy(config)
    fromLegacy.set(config, converted)
  }
  return converted
}

const entriesOf = new WeakMap<Config, readonly ProviderEntry[]>()

/** Records the providers loadConfig built from an alpha file (each validated through the option checks). */
export function attachProviderEntries(config: Config, entries: readonly ProviderEntry[]): void {
  entriesOf.set(config, Object.freeze([...entries]))
}

/**
 * Every configured provider, in file order; the first is the one the proxy signs in with today. A legacy
 * configuration yields one entry whose settings are the configuration itself.
 */
export function providerEntries(config: Config): readonly ProviderEntry[] {
  const attached = entriesOf.get(config)
  if (attached !== undefined) return attached
  const block = structuredOf(config).providers[0]
  if (block === undefined) throw new Error('a legacy configuration converts to one provider')
  const entries = Object.freeze([{ id: legacyProviderId(config), name: config.providerDisplayName, settings: config, block }])
  entriesOf.set(config, entries)
  return entries
}
