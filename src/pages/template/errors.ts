/** A template problem with the file and line it comes from, reported as `file:line: reason` like Go's. */
export class TemplateError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`)
    this.name = 'TemplateError'
  }
}
