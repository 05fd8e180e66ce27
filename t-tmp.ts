import { readFileSync } from 'node:fs'
import { echoCalls } from './test/helpers/grpc-echo.js'
const [port, cert] = process.argv.slice(2)
const c = echoCalls(`127.0.0.1:${port}`, readFileSync(cert!))
console.log(JSON.stringify(await c.unary('Echo', { text: 'x' })))
c.close()
