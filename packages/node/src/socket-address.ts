/**
 * The address each Web `Request` a server adapter made came from, where the adapter knows it (`toNodeHandler()`:
 * Node's socket). A `Request` carries none of its own; the relay reads it here for `context.ip`.
 */
const addresses = new WeakMap<Request, string>()

/** Records the address `request`'s connection came from. */
export const rememberSocketAddress = (request: Request, address: string | undefined): void => {
  if (address !== undefined) addresses.set(request, address)
}

/** The address `request`'s connection came from, when the server adapter that made it recorded one. */
export const socketAddressOf = (request: Request): string | undefined => addresses.get(request)
