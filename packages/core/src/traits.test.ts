import { describe, expect, it } from 'vitest'
import { identityTraitOf, isIdentityTrait, namesOf } from './traits.js'

describe('identity traits, in every spelling', () => {
  it.each(['email', 'Email', 'EMAIL', '$email', 'user_email', 'email_address', 'emailAddress', 'phone', 'phoneNumber', 'phone_number', '$phone', 'name', 'fullName', 'full_name', '$name', 'firstName', '$first_name', 'lastName', 'family_name'])(
    '%s says who the user is',
    (name) => expect(isIdentityTrait(name)).toBe(true),
  )

  it.each(['plan', 'company', 'createdAt', 'emails_sent', 'nameless', 'domain'])('%s does not', (name) => expect(isIdentityTrait(name)).toBe(false))

  it('maps a spelling to the trait it stands for, and keeps the aliases', () => {
    expect(identityTraitOf('$email')).toBe('email')
    expect(identityTraitOf('Phone_Number')).toBe('phone')
    expect(identityTraitOf('plan')).toBeUndefined()
    expect(namesOf('email')).toContain('$email')
    expect(namesOf('user_email')[0]).toBe('email')
  })
})
