// How much a long-running sandbox remembers: its logs (requests, accepted identifies, inspector rows) are arrays a
// test reads and filters, and a load test of an app pointed at `npx idstitch-sandbox` grew them for as long as it
// ran (each request keeps its headers and raw body).

/**
 * Appends `item` to `list`, and when that makes it longer than `keep`, forgets the oldest: an eighth of `keep` more
 * than needed, so that the copying (a splice moves the whole array) happens once per `keep / 8` appends, not at every
 * one. `list` never holds more than `keep`.
 */
export const appendKept = <T>(list: T[], item: T, keep: number): void => {
  list.push(item)
  if (list.length > keep) list.splice(0, list.length - keep + Math.floor(keep / 8))
}

/** Throws unless `keep`, as an option gives it, is a whole number from 1, or Infinity (everything). */
export const checkKeep = (keep: number): void => {
  if (keep !== Number.POSITIVE_INFINITY && !(Number.isInteger(keep) && keep >= 1)) throw new RangeError(`keep must be a whole number from 1 (or Infinity), not ${String(keep)}`)
}
