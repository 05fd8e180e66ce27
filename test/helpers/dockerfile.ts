// A Dockerfile without a container engine: parses the instructions gatehouse's Dockerfile uses, and replays a build
// into a directory, one sub-directory per stage standing for its file system root. RUN steps run with `sh -c` in the
// stage's WORKDIR, so they must use relative paths (the Dockerfile keeps to that); COPY and WORKDIR paths are mapped
// into the stage's root. Enough to check that the image's steps build a working gatehouse.
import { spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs'
import { basename, join } from 'node:path'

/** One instruction: the keyword, its `--flag=value` options and its arguments (exec form as a list). */
export interface Instruction {
  keyword: string
  flags: Record<string, string>
  /** The text after the keyword and flags (shell form). */
  text: string
  /** The JSON exec form, when the text is one (`["gatehouse"]`). */
  exec?: string[]
}

export interface Stage {
  from: string
  name: string | undefined
  instructions: Instruction[]
}

/** Splits a Dockerfile into stages of instructions: comments and parser directives dropped, `\` continuations joined. */
export function parseDockerfile(source: string): Stage[] {
  const logical: string[] = []
  let pending = ''
  for (const raw of source.split('\n')) {
    const line = raw.trimEnd()
    if (pending === '' && (line.trim() === '' || line.trimStart().startsWith('#'))) continue
    if (pending !== '' && line.trimStart().startsWith('#')) continue
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `
      continue
    }
    logical.push((pending + line).trim())
    pending = ''
  }
  if (pending !== '') throw new Error('the Dockerfile ends inside a continued line')
  const stages: Stage[] = []
  for (const line of logical) {
    const instruction = parseInstruction(line)
    if (instruction.keyword === 'FROM') {
      const [from, as, name] = instruction.text.split(/\s+/)
      if (from === undefined || (as !== undefined && as.toUpperCase() !== 'AS')) throw new Error(`bad FROM: ${line}`)
      stages.push({ from, name, instructions: [] })
    } else {
      const stage = stages.at(-1)
      if (stage === undefined) {
        if (instruction.keyword === 'ARG') continue
        throw new Error(`${instruction.keyword} before FROM`)
      }
      stage.instructions.push(instruction)
    }
  }
  return stages
}

function parseInstruction(line: string): Instruction {
  const match = /^(\S+)\s*(.*)$/s.exec(line)
  if (match === null) throw new Error(`not an instruction: ${line}`)
  const keyword = (match[1] ?? '').toUpperCase()
  let rest = match[2] ?? ''
  const flags: Record<string, string> = {}
  for (let flag = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(rest); flag !== null; flag = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(rest)) {
    flags[flag[1] ?? ''] = flag[2] ?? 'true'
    rest = rest.slice(flag[0].length)
  }
  // HEALTHCHECK options come before its CMD, whose own form is what runs.
  if (keyword === 'HEALTHCHECK') {
    const cmd = /^CMD\s+(.*)$/s.exec(rest)
    if (cmd !== null) rest = cmd[1] ?? ''
  }
  const text = rest.trim()
  let exec: string[] | undefined
  if (text.startsWith('[')) {
    const parsed: unknown = JSON.parse(text)
    if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === 'string')) throw new Error(`bad exec form: ${line}`)
    exec = parsed
  }
  return { keyword, flags, text, ...(exec === undefined ? {} : { exec }) }
}

/** A stage after the replay: its root directory, its working directory there and its environment (PATH mapped). */
export interface BuiltStage {
  root: string
  workdir: string
  /** The stage's ENV values as the image declares them. */
  env: Record<string, string>
  /** Maps a path of the image (`/opt/gatehouse/bin`) to the directory that stands for it. */
  host(path: string): string
  /** PATH with the image's directories mapped to the replay's, then the host's PATH (for `node`, `npm`, `sh`). */
  path: string
}

export interface ReplayOptions {
  /** The build context (the repository). */
  context: string
  /** Where the stages' roots are made. */
  into: string
  /** Added to every RUN's environment (e.g. npm's cache and offline settings). */
  runEnv: Record<string, string>
  /** Bound of each RUN step. */
  runTimeoutMs: number
  /** Called with each RUN command before it starts. */
  onRun?(command: string): void
}

/** Replays every stage in order and returns the last one. */
export async function replayBuild(stages: readonly Stage[], options: ReplayOptions): Promise<BuiltStage> {
  const built = new Map<string, BuiltStage>()
  let last: BuiltStage | undefined
  for (const [index, stage] of stages.entries()) {
    const root = join(options.into, `stage-${index}`)
    mkdirSync(root, { recursive: true })
    const host = (path: string): string => (path.startsWith('/') ? join(root, path) : path)
    let workdir = '/'
    const env: Record<string, string> = {}
    const current = (): BuiltStage => ({ root, workdir: host(workdir), env: { ...env }, host, path: mappedPath(env['PATH'], host) })
    for (const step of stage.instructions) {
      switch (step.keyword) {
        case 'WORKDIR':
          workdir = step.text.startsWith('/') ? step.text : join(workdir, step.text)
          mkdirSync(host(workdir), { recursive: true })
          break
        case 'ENV': {
          const eq = step.text.indexOf('=')
          if (eq < 0) throw new Error(`ENV without =: ${step.text}`)
          const name = step.text.slice(0, eq)
          // `$PATH` in ENV is the base image's PATH; only PATH is used that way here.
          env[name] = step.text.slice(eq + 1).replace(/^"|"$/g, '').replace(/\$\{?PATH\}?/, '')
          break
        }
        case 'COPY': {
          const from = step.flags['from']
          const source = from === undefined ? undefined : built.get(from)
          if (from !== undefined && source === undefined) throw new Error(`COPY --from=${from}: no such stage`)
          const parts = step.text.split(/\s+/)
          const dest = parts.pop() ?? ''
          const destPath = host(dest.startsWith('/') ? dest : join(workdir, dest))
          for (const src of parts) copyInto(source === undefined ? join(options.context, src) : source.host(src), destPath, dest.endsWith('/') || parts.length > 1)
          break
        }
        case 'RUN':
          options.onRun?.(step.text)
          await run(step.text, current(), options)
          break
        default:
          // ARG, USER, EXPOSE, HEALTHCHECK, ENTRYPOINT, CMD, LABEL: metadata, read by the caller from the stage.
          break
      }
    }
    const done = current()
    built.set(stage.name ?? String(index), done)
    built.set(String(index), done)
    last = done
  }
  if (last === undefined) throw new Error('the Dockerfile has no stage')
  return last
}

/** Docker's COPY: a directory's contents into dest; a file into dest/ (a directory) or as dest. */
function copyInto(src: string, dest: string, destIsDir: boolean): void {
  if (!existsSync(src)) throw new Error(`COPY: ${src} does not exist`)
  if (statSync(src).isDirectory()) {
    cpSync(src, dest, { recursive: true, verbatimSymlinks: true })
  } else {
    const target = destIsDir || (existsSync(dest) && statSync(dest).isDirectory()) ? join(dest, basename(src)) : dest
    mkdirSync(destIsDir ? dest : join(target, '..'), { recursive: true })
    cpSync(src, target)
  }
}

function mappedPath(imagePath: string | undefined, host: (p: string) => string): string {
  const own = (imagePath ?? '').split(':').filter((p) => p !== '').map(host)
  return [...own, process.env['PATH'] ?? ''].join(':')
}

async function run(command: string, stage: BuiltStage, options: ReplayOptions): Promise<void> {
  // The test runner's and the proxy's own variables stay out of the build, as they would be outside a container.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NODE_TEST') && !k.startsWith('OAUTH2_PROXY_')))
  const env = { ...inherited, ...stage.env, PATH: stage.path, ...options.runEnv }
  await new Promise<void>((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { cwd: stage.workdir, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), options.runTimeoutMs)
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      if (code === 0) resolve()
      else reject(new Error(`RUN ${command} failed (code ${code}, signal ${signal}):\n${output.slice(-4000)}`))
    })
  })
}

/** Reads the repository's Dockerfile. */
export function readDockerfile(context: string): Stage[] {
  return parseDockerfile(readFileSync(join(context, 'Dockerfile'), 'utf8'))
}
