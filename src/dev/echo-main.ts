/**
 * Runs the echo app on its own: `node --import tsx src/dev/echo-main.ts [--port=N] [--host=H]`.
 * Prints `echo app listening on <url>` on stdout; stops on SIGINT/SIGTERM. Development only.
 */
import { parseArgs } from 'node:util'
import { startEchoApp } from './echo-app.js'

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, host: { type: 'string', default: '127.0.0.1' } } })
const port = Number(values.port)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`invalid --port: ${values.port}\n`)
  process.exit(2)
}
const app = await startEchoApp({ port, host: values.host })
process.stdout.write(`echo app listening on ${app.url}\n`)
const stop = (): void => {
  app.close().then(
    () => process.exit(0),
    () => process.exit(1),
  )
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
