/** The exit codes of `sluice`. */
export const ExitCode = {
  Ok: 0,
  /** The run failed, or the command hit an error. */
  Failed: 1,
  /** Bad arguments or options (commander's usage errors). */
  Usage: 2,
  /** The run was cancelled with Ctrl-C (128 + SIGINT, as shells report it). */
  Canceled: 130,
} as const
