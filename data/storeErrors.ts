/** A command that only reads was pointed at a database that does not exist (or holds no retain schema). */
export class StoreNotFoundError extends Error {
  readonly exitCode = 2;
}
