import { isMap, isScalar, isSeq, LineCounter, parseDocument, stringify, type Node } from 'yaml'

/** A place in the file, 1-based. */
export interface Position {
  readonly line: number
  readonly col: number
}

/** A YAML syntax error with where it is. */
export interface SyntaxProblem extends Position {
  readonly message: string
}

/** A parsed YAML file: its value, its syntax errors, and where each key path starts. */
export interface ParsedYaml {
  readonly value: unknown
  readonly errors: readonly SyntaxProblem[]
  /** Where the key (or list item) at a decoded path such as `providers[0].clientID` is written. */
  positionOf(path: string): Position | undefined
}

function keyText(node: unknown): string {
  return isScalar(node) ? String(node.value) : String(node)
}

/** Records the start of every key and list item under its dotted path. */
function indexPositions(node: Node | null | undefined, path: string, out: Map<string, number>): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = keyText(pair.key)
      const inner = path === '' ? key : `${path}.${key}`
      const start = (pair.key as Node | null)?.range?.[0]
      if (start !== undefined) out.set(inner, start)
      indexPositions(pair.value as Node | null, inner, out)
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const inner = `${path}[${i}]`
      const start = (item as Node | null)?.range?.[0]
      if (start !== undefined) out.set(inner, start)
      indexPositions(item as Node | null, inner, out)
    })
  }
}

/** Parses YAML 1.2 (as Go's yaml.v3 does): duplicate keys are errors; every syntax error comes with line and column. */
export function parseYaml(text: string): ParsedYaml {
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true })
  const errors = doc.errors.map((err) => {
    const where = err.linePos?.[0] ?? { line: 1, col: 1 }
    const message = (err.message.split('\n')[0] ?? err.message).replace(/ at line \d+, column \d+:?$/, '')
    return { line: where.line, col: where.col, message }
  })
  const starts = new Map<string, number>()
  if (errors.length === 0) indexPositions(doc.contents as Node | null, '', starts)
  return {
    value: errors.length === 0 ? doc.toJS({ maxAliasCount: 100 }) : undefined,
    errors,
    positionOf(path) {
      // An unknown key deep in a list item is found by its own path; a missing one by its nearest parent.
      for (let p = path; p !== ''; p = p.replace(/(\.[^.[\]]*|\[\d+\])$/, '')) {
        const start = starts.get(p)
        if (start !== undefined) return lines.linePos(start)
        if (!/(\.[^.[\]]*|\[\d+\])$/.test(p)) break
      }
      return undefined
    },
  }
}

/** Renders a plain value as YAML with sorted keys, as oauth2-proxy's printer (Go maps marshal sorted). */
export function toYaml(value: unknown): string {
  return stringify(value, { sortMapEntries: true, lineWidth: 0 })
}
