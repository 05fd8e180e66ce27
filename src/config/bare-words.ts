import type { OptionMeta } from './option-meta.js'

/** The option whose value the ignored words came right after, as it was read from the command line. */
export interface WordAnchor {
  meta: OptionMeta
  /** The value the option got. */
  text: string
}

/** Options holding a space-separated list in one string (oauth2-proxy splits `--scope` on spaces). */
const SPACE_SEPARATED = new Set(['scope'])

function quoted(word: string): string {
  return JSON.stringify(word)
}

function fixFor(anchor: WordAnchor, words: readonly string[]): string | undefined {
  const { meta, text } = anchor
  if (SPACE_SEPARATED.has(meta.flag)) return `--${meta.flag}=${quoted([text, ...words].join(' '))}`
  if (meta.kind === 'list') return `--${meta.flag}=${[text, ...words].join(',')}`
  return undefined
}

/**
 * One warning for a run of words that are not flags. pflag, and so oauth2-proxy, sets them aside and starts
 * anyway (a shell splits `--scope=openid profile email` into three arguments); the warning names each word and,
 * after a list option, says that the option got only its first word. A word after a secret is never shown.
 */
export function bareWordsWarning(words: readonly string[], anchor: WordAnchor | undefined, afterDashes: boolean): string {
  const plural = words.length > 1 ? 's' : ''
  if (anchor?.meta.secret === true) {
    return `command line: ${words.length} argument${plural} after --${anchor.meta.flag} ignored, as oauth2-proxy does (not shown: the option holds a secret; quote its value if it has spaces)`
  }
  const named = words.map(quoted).join(', ')
  const where = afterDashes ? ' after "--"' : anchor === undefined ? '' : ` after --${anchor.meta.flag}=${quoted(anchor.text)}`
  const head = `command line: argument${plural} ${named}${where} ignored, as oauth2-proxy does: only flags are read`
  if (anchor === undefined || afterDashes) return head
  const fix = fixFor(anchor, words)
  if (fix === undefined) return head
  return `${head}; --${anchor.meta.flag} got only its first word ${quoted(anchor.text)}: to pass them all, write ${fix}`
}
