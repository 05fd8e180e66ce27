import { CLI_OPTIONS } from './cli-options.js'
import { describeChoices } from './define.js'
import { OPTION_GROUPS } from './option-meta.js'
import { formatDefault, GROUP_TITLES } from './presentation.js'
import { OPTIONS } from './schema.js'

const NOT_SUPPORTED = '(not supported yet)'

/** Go flag-package layout: the flag and its type, then the description indented below it. */
function entry(flag: string, kind: string, text: string): string {
  return `  --${flag} ${kind}\n        ${text}`
}

/** The `--help` text: every flag by group with its type, default and description; unimplemented ones are marked. */
export function renderHelp(): string {
  const out: string[] = [
    'Usage: gatehouse [--config FILE] [flags]',
    '',
    "gatehouse reads oauth2-proxy's flags, OAUTH2_PROXY_<CFG_KEY> environment variables and TOML cfg files.",
    'Precedence: flag > environment > cfg file > default. Durations use Go syntax (30s, 15m, 168h).',
    'List flags may be repeated or comma-separated; list variables are comma-separated.',
    '',
    'Command line only:',
  ]
  for (const o of CLI_OPTIONS) out.push(entry(o.flag, o.kind, `${o.description}${o.supported ? '' : ` ${NOT_SUPPORTED}`}`))
  for (const group of OPTION_GROUPS) {
    out.push('', `${GROUP_TITLES[group]}:`)
    for (const o of OPTIONS.filter((m) => m.group === group)) {
      const choices = o.choices === undefined ? '' : ` One of: ${describeChoices(o.choices)}.`
      const text = `${o.description}${choices} (default ${formatDefault(o)})${o.supported ? '' : ` ${NOT_SUPPORTED}`}`
      out.push(entry(o.flag, o.kind, text))
    }
  }
  return out.join('\n')
}
