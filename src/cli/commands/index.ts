/** Every CLI command, in the order `rapport --help` lists them. Adding a command = one line here. */
import type { Command } from "commander";
import { registerDeadLetters } from "./dead-letters.command.ts";
import { registerImport } from "./import.command.ts";
import { registerMigrate } from "./migrate.command.ts";

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [registerImport, registerDeadLetters, registerMigrate];
