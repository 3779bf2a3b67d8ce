/**
 * What idstitch knows about trait names across providers: which traits say
 * who a user is, under every spelling a provider or an app gives them, and
 * the other names providers know common traits by.
 */

/**
 * Traits that say who the user is. A browser may not set them through the
 * relay unless the app allows it (they come from the server's session), and
 * GA4 never receives them (Google's policies forbid personal data).
 */
export const IDENTITY_TRAITS: readonly string[] = ['email', 'phone', 'name', 'firstName', 'lastName']

/**
 * Other names providers know common traits by: Thrivestack's reserved
 * `user_email`, Mixpanel's reserved `$email`, `$first_name`, …, and the
 * spellings apps use.
 */
export const TRAIT_ALIASES: Readonly<Record<string, readonly string[]>> = {
  email: ['user_email', '$email', 'email_address', 'emailAddress'],
  phone: ['phone_number', '$phone', 'phoneNumber', 'mobile'],
  name: ['user_name', '$name', 'full_name', 'fullName', 'username', 'display_name', 'displayName'],
  firstName: ['first_name', '$first_name', 'given_name', 'givenName'],
  lastName: ['last_name', '$last_name', 'family_name', 'familyName', 'surname'],
  createdAt: ['created_at', '$created'],
}

/** A name as compared: lower case, without `$`, `_`, `-`, `.` or spaces (`Email_Address` and `$email` meet `email`). */
const normalised = (name: string): string => name.toLowerCase().replace(/[$_\-.\s]/g, '')

/** Every identity trait's names, normalised. */
const IDENTITY_KEYS: ReadonlySet<string> = /* @__PURE__ */ new Set(IDENTITY_TRAITS.flatMap((trait) => [trait, ...(TRAIT_ALIASES[trait] ?? [])]).map(normalised))

/**
 * True for a trait name that says who the user is, in any provider's or app's
 * spelling and any case: `email`, `Email`, `$email`, `user_email`,
 * `emailAddress`, `phoneNumber`, `fullName`, `$first_name`, …
 *
 * @example
 * isIdentityTrait('Email_Address') // true
 * isIdentityTrait('plan')          // false
 */
export const isIdentityTrait = (name: string): boolean => IDENTITY_KEYS.has(normalised(name))

/** The identity trait a name stands for (`'email'` for `'$email'`), or `undefined`. */
export const identityTraitOf = (name: string): string | undefined => {
  const key = normalised(name)
  return IDENTITY_TRAITS.find((trait) => [trait, ...(TRAIT_ALIASES[trait] ?? [])].some((alias) => normalised(alias) === key))
}

/** A trait's name and every alias of it. */
export const namesOf = (trait: string): readonly string[] => {
  if (Object.hasOwn(TRAIT_ALIASES, trait)) return [trait, ...(TRAIT_ALIASES[trait] as readonly string[])]
  const canonical = Object.keys(TRAIT_ALIASES).find((name) => (TRAIT_ALIASES[name] as readonly string[]).includes(trait))
  return canonical === undefined ? [trait] : [canonical, ...(TRAIT_ALIASES[canonical] as readonly string[])]
}
