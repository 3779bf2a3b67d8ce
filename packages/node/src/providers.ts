// Provider factories for createClient({ providers }). Each takes credentials and
// returns a configured provider. The adapters live in @idstitch/core, whose
// providers list is the one list of them; this re-exports it whole, with the
// tools to write an adapter of your own.

export * from '@idstitch/core/providers'
export { defineProvider } from '@idstitch/core'
export type { Provider, ProviderDefinition } from '@idstitch/core'
