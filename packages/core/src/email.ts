import { email } from 'zod/mini'

let format: ReturnType<typeof email> | undefined

/** Whether `value` is an email address, as zod's `email()` checks one (its schema built on first use). */
export const isEmail = (value: unknown): boolean => typeof value === 'string' && (format ??= email()).safeParse(value).success
