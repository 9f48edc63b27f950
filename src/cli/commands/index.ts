/** Every CLI command, in the order `rapport --help` lists them. Adding a command = one line here. */
import type { Command } from "commander";

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [];
