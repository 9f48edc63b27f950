/** Keyboard commands: pages register handlers while mounted; one window listener dispatches. */
import { createContext, useContext, useEffect, useRef } from "react";
import type { Command } from "./keyboard";

/** A handler returns false when it did not handle the command (the key then does its default). */
export type Handlers = Partial<Record<Command, () => unknown>>;

export class CommandRegistry {
  private stack: Array<{ current: Handlers }> = [];
  push(ref: { current: Handlers }) {
    this.stack.push(ref);
    return () => {
      this.stack = this.stack.filter((r) => r !== ref);
    };
  }
  /** The newest registration that handles the command wins; returns true when something did. */
  run(command: Command): boolean {
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const handler = this.stack[i]!.current[command];
      if (handler && handler() !== false) return true;
    }
    return false;
  }
}

export const CommandContext = createContext(new CommandRegistry());

/** Registers handlers for as long as the component is mounted (always the latest closures). */
export function useCommands(handlers: Handlers): void {
  const registry = useContext(CommandContext);
  const ref = useRef(handlers);
  ref.current = handlers;
  useEffect(() => registry.push(ref), [registry]);
}
