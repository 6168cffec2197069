// `l2r`: the headless front end. Dispatch only; each subcommand lives in its own module.
import { reportCommand } from './report';
import { runCommand } from './run';
import { validateCommand } from './validate';

const usage = `Usage: l2r <command> [options]

Commands:
  run FILE.l2r [--out DIR] [--backend gpu|node|wasm|cpu] [--resume RUN_DIR] [--seeds 1,2] [--stream NAME] [--threads N] [--kernels auto|tfjs]
                          train and evaluate a task stream; prints progress and a results table
  validate FILE.l2r [--stream NAME]
                          check a stream file; prints file:line:col: severity: message
  report RUN_DIR... [--out FILE.md]
                          Markdown and CSV tables of one or more finished runs

Options:
  -h, --help              show this help
  -v, --version           show the version`;

const subcommands: Record<string, (argv: readonly string[]) => Promise<number>> = {
  run: runCommand,
  validate: validateCommand,
  report: reportCommand,
};

declare const L2R_VERSION: string | undefined;

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    console.log(usage);
    return command === undefined ? 2 : 0;
  }
  if (command === '-v' || command === '--version') {
    console.log(typeof L2R_VERSION === 'string' ? L2R_VERSION : 'dev');
    return 0;
  }
  const handler = subcommands[command];
  if (handler === undefined) {
    console.error(`l2r: unknown command "${command}". Run "l2r --help" for the list.`);
    return 2;
  }
  return handler(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`l2r: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
