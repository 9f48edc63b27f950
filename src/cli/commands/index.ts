/** Every CLI command, in the order `rapport --help` lists them. Adding a command = one line here. */
import type { Command } from "commander";
import { registerTokenCommand } from "./token.command.ts";
import { registerUserCommand } from "./user.command.ts";

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [registerUserCommand, registerTokenCommand];
