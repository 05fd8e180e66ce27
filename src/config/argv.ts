import type { ConfigIssue } from '../errors.js'
import { bareWordsWarning, type WordAnchor } from './bare-words.js'
import { cliOptionByFlag } from './cli-options.js'
import type { OptionMeta } from './option-meta.js'
import { optionByCfg, optionByFlag } from './schema.js'
import { closest, didYouMean } from './suggest.js'
import { parseGoBool } from './values.js'

/** One legacy option as written on the command line; a bare boolean flag reads as `true`. */
export interface FlagOccurrence {
  meta: OptionMeta
  text: string
}

/** The command line split into CLI-only switches, option occurrences in order, and problems. */
export interface ParsedArgv {
  help: boolean
  version: boolean
  configTest: boolean
  configFile: string | undefined
  /** `--alpha-config FILE`. */
  alphaConfig: string | undefined
  /** `--convert-config-to-alpha`. */
  convertToAlpha: boolean
  occurrences: FlagOccurrence[]
  issues: ConfigIssue[]
  /** Arguments that are not flags, set aside as pflag does, one line per run of them. */
  warnings: string[]
}

function suggestFlag(name: string): string | undefined {
  const viaCfg = optionByCfg.get(name.replace(/-/g, '_').toLowerCase())
  if (viaCfg !== undefined) return `--${viaCfg.flag}`
  const near = closest(name, [...optionByFlag.keys(), ...cliOptionByFlag.keys()])
  return near === undefined ? undefined : `--${near}`
}

function kindOf(name: string): 'bool' | 'value' | undefined {
  const cli = cliOptionByFlag.get(name)
  if (cli !== undefined) return cli.kind === 'bool' ? 'bool' : 'value'
  const meta = optionByFlag.get(name)
  if (meta === undefined) return undefined
  return meta.kind === 'bool' ? 'bool' : 'value'
}

/**
 * Reads argv with pflag's rules: `--flag=value` or `--flag value`; a bool flag takes no separate value
 * (`--flag`, `--flag=false`); `--` ends the flags. `-h` and `--help` ask for help. Other arguments are ignored
 * with a warning, as oauth2-proxy does, except `true`/`false` right after a bare bool flag: oauth2-proxy would
 * silently set the flag to true there, which is refused with the fix instead.
 */
export function parseArgv(argv: readonly string[]): ParsedArgv {
  const out: ParsedArgv = { help: false, version: false, configTest: false, configFile: undefined, alphaConfig: undefined, convertToAlpha: false, occurrences: [], issues: [], warnings: [] }
  let previousBareBool: string | undefined
  let flagsEnded = false
  // The run of ignored words being collected, and the option value they follow.
  let anchor: WordAnchor | undefined
  let words: string[] = []
  const flushWords = (): void => {
    if (words.length > 0) out.warnings.push(bareWordsWarning(words, anchor, flagsEnded))
    words = []
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    const lastBareBool = previousBareBool
    previousBareBool = undefined
    if (!flagsEnded && arg === '--') {
      flushWords()
      flagsEnded = true
      anchor = undefined
      continue
    }
    if (flagsEnded || !arg.startsWith('-') || arg === '-') {
      if (lastBareBool !== undefined && parseGoBool(arg) !== undefined) {
        out.issues.push({ option: `--${lastBareBool}`, value: arg, message: `a bool flag takes its value after "=": write --${lastBareBool}=${arg} (oauth2-proxy would ignore "${arg}" and set it to true)` })
        continue
      }
      words.push(arg)
      continue
    }
    flushWords()
    anchor = undefined
    if (!arg.startsWith('--')) {
      if (arg === '-h' || arg.startsWith('-h=')) {
        out.help = true
        continue
      }
      const long = arg.slice(1).split('=')[0] ?? ''
      const hint = kindOf(long) === undefined ? '' : ` (long flags take two dashes: --${long})`
      out.issues.push({ option: arg, message: `unknown shorthand flag${hint}` })
      continue
    }
    const body = arg.slice(2)
    const eq = body.indexOf('=')
    const name = eq === -1 ? body : body.slice(0, eq)
    const inline = eq === -1 ? undefined : body.slice(eq + 1)
    const kind = kindOf(name)
    if (kind === undefined) {
      // Its value (inline or the next non-flag argument) is skipped and never echoed: it may be a mistyped secret.
      if (inline === undefined && i + 1 < argv.length && !(argv[i + 1] ?? '').startsWith('-')) i++
      out.issues.push({ option: `--${name}`, message: `unknown flag${didYouMean(suggestFlag(name))}` })
      continue
    }
    let text: string
    if (kind === 'bool') {
      text = inline ?? 'true'
      if (inline === undefined) previousBareBool = name
    } else if (inline !== undefined) {
      text = inline
    } else if (i + 1 < argv.length) {
      text = argv[++i] ?? ''
    } else {
      out.issues.push({ option: `--${name}`, message: `needs a value: --${name}=VALUE` })
      continue
    }
    const meta = optionByFlag.get(name)
    if (kind === 'value' && meta !== undefined) anchor = { meta, text }
    readOccurrence(out, name, text)
  }
  flushWords()
  return out
}

function readOccurrence(out: ParsedArgv, name: string, text: string): void {
  const cli = cliOptionByFlag.get(name)
  if (cli === undefined) {
    const meta = optionByFlag.get(name)
    if (meta !== undefined) out.occurrences.push({ meta, text })
    return
  }
  if (name === 'help') {
    out.help = true
    return
  }
  if (cli.kind === 'string') {
    if (!cli.supported) out.issues.push({ option: `--${name}`, value: text, message: `--${name} is not supported yet by gatehouse: use the legacy options (--config FILE, flags or OAUTH2_PROXY_* variables)` })
    else if (name === 'alpha-config') out.alphaConfig = text
    else out.configFile = text
    return
  }
  const on = parseGoBool(text)
  if (on === undefined) {
    out.issues.push({ option: `--${name}`, value: text, message: 'expected true or false (also 1/0, t/f)' })
    return
  }
  if (!cli.supported) {
    if (on) out.issues.push({ option: `--${name}`, message: `--${name} is not supported yet by gatehouse` })
    return
  }
  if (name === 'version') out.version = on
  if (name === 'config-test') out.configTest = on
  if (name === 'convert-config-to-alpha') out.convertToAlpha = on
}
