import type { Consent } from '@idstitch/core'
import { headerValues } from './request-headers.js'

/**
 * What a browser's Global Privacy Control (`Sec-GPC: 1`) means for an identify, with `respectGpc`: no ad
 * signals (`adUserData` and `adPersonalization` false, so GA4 and Segment get them denied), while analytics
 * goes on. GPC is a "do not sell or share" signal (CCPA/CPRA and the laws that honour it): it covers handing
 * the user's data on for advertising, not a site's own analytics. `undefined` without the header.
 */
export const gpcConsent = (request: unknown): Consent | undefined =>
  headerValues(request, 'sec-gpc')[0]?.trim() === '1' ? { adUserData: false, adPersonalization: false } : undefined
