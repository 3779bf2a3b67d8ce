import type { FieldIssue } from '../provider.js'

/**
 * Issues for trait keys that would land on a provider's own fields. They are
 * refused, never allowed to overwrite `user_id` and friends.
 */
export const traitCollisions = (
  traits: Readonly<Record<string, unknown>>,
  reserved: readonly string[],
  provider: string,
): FieldIssue[] =>
  reserved
    .filter((key) => Object.hasOwn(traits, key))
    .map((key) => ({ path: `traits.${key}`, message: `collides with ${provider}'s own \`${key}\` field; rename the trait` }))
