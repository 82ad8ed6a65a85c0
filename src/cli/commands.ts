/**
 * Every `sms-incident` subcommand. To add one: export a `CliCommand` (`command.ts`) from a file of
 * its own and list it here; `--help`, the overview, strict option parsing and usage errors follow.
 */
import type { CliCommand } from './command.js';
import { doctor } from './doctor.js';
import { runsList } from './runs-list.js';
import { runsRedrive } from './runs-redrive.js';
import { runsShow } from './runs-show.js';
import { runsAudit } from './runs-audit.js';
import { runsSweep } from './runs-sweep.js';

export const COMMANDS: readonly CliCommand[] = [runsList, runsShow, runsRedrive, runsSweep, runsAudit, doctor];
