#!/usr/bin/env node
import { sloRulesCli, SLO_RULES_USAGE } from '../slo/cli';

const USAGE = `Usage: obsweave <command>

Commands:
  slo-rules   write Prometheus rules for SLOs (obsweave slo-rules --help)

${SLO_RULES_USAGE}`;

const io = {
  stdout: (text: string) => void process.stdout.write(text),
  stderr: (text: string) => void process.stderr.write(text),
};
const [command, ...args] = process.argv.slice(2);
if (command === 'slo-rules') {
  process.exitCode = sloRulesCli(args, io);
} else if (command === undefined || command === '--help' || command === '-h') {
  io.stdout(`${USAGE}\n`);
  process.exitCode = command === undefined ? 2 : 0;
} else {
  io.stderr(`obsweave: unknown command "${command}"\n\n${USAGE}\n`);
  process.exitCode = 2;
}
