// The part of js-cookie's API the tracker uses, hand-written: what the script tag
// would weigh without js-cookie (bench only; the tracker ships js-cookie, as SPEC says).
const read = (name) => {
  for (const pair of document.cookie.split('; ')) {
    const at = pair.indexOf('=')
    if (decodeURIComponent(pair.slice(0, at)) === name) return decodeURIComponent(pair.slice(at + 1))
  }
}
const write = (name, value, attributes) => {
  let cookie = `${encodeURIComponent(name)}=${encodeURIComponent(value)}`
  for (const key in attributes) if (attributes[key]) cookie += `; ${key}${attributes[key] === true ? '' : `=${attributes[key]}`}`
  document.cookie = cookie
}
export default {
  get: read,
  set: write,
  remove: (name, attributes) => write(name, '', { ...attributes, 'max-age': -1 }),
}
