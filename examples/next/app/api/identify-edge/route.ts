// The relay on the Edge runtime: the same handler, bundled with the edge-light condition.
import { relay } from '../../../lib/relay'

export const runtime = 'edge'
export const POST = relay
