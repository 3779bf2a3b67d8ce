// Provider factories for createClient({ providers }). Each takes credentials and
// returns a configured provider; the adapters themselves live in @idstitch/core.

export { datafast, dfend, thrivestack, pathbound, monterosa, segment, http, defineProvider } from '@idstitch/core'
export type {
  DatafastOptions,
  DfendOptions,
  ThrivestackOptions,
  ThrivestackAuth,
  PathboundOptions,
  MonterosaOptions,
  SegmentOptions,
  HttpProviderOptions,
  Provider,
  ProviderDefinition,
} from '@idstitch/core'
