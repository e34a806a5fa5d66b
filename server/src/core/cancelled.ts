// The error a cancelled index build (or a wait for one) ends with.
export class CancelledError extends Error {
  constructor() {
    super('indexing was cancelled');
  }
}
