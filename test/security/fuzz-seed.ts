// One seed for every fuzz file, so a CI run is repeatable and a failure can be replayed: by default a fixed seed;
// GATEHOUSE_FUZZ_SEED=<n> replays another one, GATEHOUSE_FUZZ_SEED=random explores (fast-check prints the seed it used).
import fc from 'fast-check'

const FIXED_SEED = 20261122
const wanted = process.env['GATEHOUSE_FUZZ_SEED']

if (wanted !== 'random') fc.configureGlobal({ seed: wanted === undefined || wanted === '' ? FIXED_SEED : Number(wanted) })
