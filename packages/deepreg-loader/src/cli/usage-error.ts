// cli/usage-error.ts: the usage mistake (exit code 2).
/**
 * A command-line usage mistake (unknown command or option, missing argument, bad option value):
 * the CLI prints its message and the command's usage line, and exits with code 2. Only the CLI
 * throws it; library functions throw `DeepRegLoaderError`.
 */
export class UsageError extends Error {
  override readonly name = "UsageError";
  /** The command whose usage to print, if known. */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.command = command;
  }
}
