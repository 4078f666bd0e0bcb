#!/usr/bin/env node
import { sloRulesCli, sloTestsCli, SLO_RULES_USAGE, SLO_TESTS_USAGE } from '../slo/cli';

const USAGE = `Usage: obsweave <command>

Commands:
  slo-rules   write Prometheus rules for SLOs (obsweave slo-rules --help)
  slo-tests   write promtool unit tests of those rules (obsweave slo-tests --help)

${SLO_RULES_USAGE}

${SLO_TESTS_USAGE}`;

const io = {
  stdout: (text: string) => void process.stdout.write(text),
  stderr: (text: string) => void process.stderr.write(text),
};
const COMMANDS = { 'slo-rules': sloRulesCli, 'slo-tests': sloTestsCli } as const;
const [command, ...args] = process.argv.slice(2);
if (command !== undefined && command in COMMANDS) {
  void COMMANDS[command as keyof typeof COMMANDS](args, io).then((code) => {
    process.exitCode = code;
  });
} else if (command === undefined || command === '--help' || command === '-h') {
  io.stdout(`${USAGE}\n`);
  process.exitCode = command === undefined ? 2 : 0;
} else {
  io.stderr(`obsweave: unknown command "${command}"\n\n${USAGE}\n`);
  process.exitCode = 2;
}
