// The relay on the Node runtime.
import { relay } from '../../../lib/relay'

export const POST = relay
