// Where an advisory's attack is tried in full by another file of the corpus, the advisory tests name that test here
// instead of repeating it; checkCoveredBy fails when the named test disappears, so the index cannot rot.
import { readFileSync } from 'node:fs'

/** An attack tried elsewhere: the file under test/security and a fragment of the test's title. */
export interface CoveredBy {
  file: string
  title: string
}

/** Undefined when `file` still has a test whose title contains `title`, else a message. */
export function checkCoveredBy(ref: CoveredBy): string | undefined {
  const source = readFileSync(new URL(ref.file, import.meta.url), 'utf8')
  const titles = [...source.matchAll(/\bit\(\s*(['"`])((?:\\.|(?!\1).)*)\1/g)].map((m) => (m[2] ?? '').replace(/\\(.)/g, '$1'))
  return titles.some((t) => t.includes(ref.title)) ? undefined : `${ref.file} has no test titled like ${JSON.stringify(ref.title)}`
}
