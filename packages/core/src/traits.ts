/**
 * What idstitch knows about trait names across providers: which traits say
 * who a user is, and the other names providers know them by.
 */

/**
 * Traits that say who the user is. A browser may not set them through the
 * relay unless the app allows it: they come from the server's session.
 */
export const IDENTITY_TRAITS: readonly string[] = ['email', 'phone', 'name', 'firstName', 'lastName']

/** Other names providers know common traits by (Thrivestack's reserved `user_email`, …). */
export const TRAIT_ALIASES: Readonly<Record<string, readonly string[]>> = {
  email: ['user_email'],
  phone: ['phone_number'],
  name: ['user_name'],
  firstName: ['first_name'],
  lastName: ['last_name'],
  createdAt: ['created_at'],
}

/** A trait's name and every alias of it. */
export const namesOf = (trait: string): readonly string[] => {
  if (Object.hasOwn(TRAIT_ALIASES, trait)) return [trait, ...(TRAIT_ALIASES[trait] as readonly string[])]
  const canonical = Object.keys(TRAIT_ALIASES).find((name) => (TRAIT_ALIASES[name] as readonly string[]).includes(trait))
  return canonical === undefined ? [trait] : [canonical, ...(TRAIT_ALIASES[canonical] as readonly string[])]
}
