/** A command that the order's current status does not allow (the API answers 409 Conflict). */
export class OrderTransitionError extends Error {
  constructor(
    readonly orderId: string,
    readonly status: string,
    readonly action: string,
  ) {
    super(`Order ${orderId} is ${status}: it cannot be ${action}.`);
    this.name = 'OrderTransitionError';
  }
}
