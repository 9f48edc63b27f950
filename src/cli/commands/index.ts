/** Every CLI command, in the order `rapport --help` lists them. Adding a command = one line here. */
import type { Command } from "commander";
import { registerAttachments } from "./attachments.command.ts";
import { registerClassify } from "./classify.command.ts";
import { registerCorrections } from "./corrections.command.ts";
import { registerDeadLetters } from "./dead-letters.command.ts";
import { registerImport } from "./import.command.ts";
import { registerMigrate } from "./migrate.command.ts";
import { registerParse } from "./parse.command.ts";
import { registerReanalyze } from "./reanalyze.command.ts";
import { registerReport } from "./report.command.ts";
import { registerServe } from "./serve.command.ts";
import { registerTokenCommand } from "./token.command.ts";
import { registerUserCommand } from "./user.command.ts";
import { registerWorker } from "./worker.command.ts";

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [
  registerServe,
  registerWorker,
  registerImport,
  registerDeadLetters,
  registerParse,
  registerReport,
  registerClassify,
  registerReanalyze,
  registerCorrections,
  registerAttachments,
  registerUserCommand,
  registerTokenCommand,
  registerMigrate,
];
