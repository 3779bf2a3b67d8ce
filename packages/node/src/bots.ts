import { isbot } from 'isbot'
import { headerValues } from './request-headers.js'

/**
 * True for a crawler, an uptime check or a link-preview fetcher, by its `User-Agent` (`isbot`, whose
 * patterns are kept up to date by its maintainers; a plain regular expression, so it runs on the edge too);
 * false without one.
 */
export const isBotRequest = (request: Parameters<typeof headerValues>[0]): boolean => isbot(headerValues(request, 'user-agent')[0] ?? '')
