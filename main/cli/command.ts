export interface Command {
  summary: string;
  usage: string;
  /** Returns the process exit code. Throws CliError (or any Error) for a one-line failure. */
  run(args: string[]): Promise<number>;
}

export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}
