/** Reports read the stored analytics; before the first training there are none. */
export class NotTrainedError extends Error {
  readonly exitCode = 3;
  constructor() {
    super('no analytics yet: run `retain train` first');
  }
}

export function isNotTrained(err: unknown): err is NotTrainedError {
  return err instanceof NotTrainedError;
}
