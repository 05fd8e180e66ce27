// npm run docs:screenshots: writes docs/images/sign-in-page.png and error-page.png from the built process.
import { fileURLToPath } from 'node:url'
import { takePageScreenshots } from '../test/helpers/screenshots.js'

const dir = fileURLToPath(new URL('../docs/images/', import.meta.url))
const shots = await takePageScreenshots(dir)
process.stdout.write(`wrote ${shots.signIn}\nwrote ${shots.error}\n`)
