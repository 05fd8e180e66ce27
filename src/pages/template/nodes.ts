/** The tree a template parses into (the subset of Go's text/template/parse that page templates use). */

/** An operand of a command. `chain` holds the field names that follow it (`.A.B`, `$x.A`, `(pipe).A`). */
export type Arg =
  | { kind: 'field'; chain: readonly string[]; line: number }
  | { kind: 'var'; name: string; chain: readonly string[]; line: number }
  | { kind: 'dot'; line: number }
  | { kind: 'func'; name: string; line: number }
  | { kind: 'literal'; value: string | number | boolean | null; line: number }
  | { kind: 'pipe'; pipe: Pipeline; chain: readonly string[]; line: number }

/** One command of a pipeline: a function with its arguments, or a single operand. */
export interface Command {
  args: readonly Arg[]
  line: number
}

/** `$a, $b := cmd | cmd | ...` (declarations only in range, with and plain actions). */
export interface Pipeline {
  decl: readonly string[]
  assign: boolean
  cmds: readonly Command[]
  line: number
}

export type Node =
  | { kind: 'text'; text: string; line: number }
  | { kind: 'action'; pipe: Pipeline; line: number }
  | ControlNode
  | { kind: 'template'; name: string; pipe: Pipeline | undefined; line: number }
  | { kind: 'break' | 'continue'; line: number }

/** `{{if}}`, `{{with}}` or `{{range}}` with its body and the `{{else}}` part (an `{{else if}}` is a nested node). */
export interface ControlNode {
  kind: 'if' | 'with' | 'range'
  pipe: Pipeline
  list: readonly Node[]
  elseList: readonly Node[] | undefined
  line: number
}

/** A named template: a file's top level or a `{{define}}` / `{{block}}`, with the file it was written in. */
export interface Definition {
  name: string
  file: string
  body: readonly Node[]
}
