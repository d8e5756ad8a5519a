// The error a promise rejects with, for assertions on its code, message and fix. A promise that
// resolves fails the test: an expected failure that does not happen is a bug.

/** An error as Sluice errors carry it: a stable code and a fix beside the message. */
export type RejectionError = Error & { code?: string; fix?: string }

/**
 * Awaits `promise` and returns what it rejected with; throws when it resolves.
 *
 * @example
 * const error = await rejectionOf(runComponent(Pusher, { inputs: { model } }))
 * expect(error.code).toBe('SLUICE_PUSHER_NOTHING_TO_PUSH')
 */
export async function rejectionOf(promise: Promise<unknown>): Promise<RejectionError> {
  try {
    await promise
  } catch (error) {
    return error as RejectionError
  }
  throw new Error('expected the promise to reject, but it resolved')
}
