/**
 * Thrown by an action when another attempt cannot help (bad input, a
 * resource that does not exist): the task fails at once, whatever its retry
 * policy says. Any other error fails the attempt and obeys the policy.
 */
export class NonRetryableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NonRetryableError';
  }
}
