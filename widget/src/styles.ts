/**
 * The widget's styles, inside its shadow root: page CSS cannot reach in, and these cannot leak out.
 * `all: initial` on the host stops inherited page styles (fonts, colours, line height). Colours meet
 * WCAG AA on their backgrounds.
 */
export const CSS = `
:host { all: initial; }
.rc, .rc * { box-sizing: border-box; }
.rc {
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 15px; line-height: 1.45; color: #1d2129;
  display: flex; flex-direction: column; align-items: flex-end; gap: 12px;
}
:where(.rc button, .rc input, .rc textarea) { font: inherit; color: inherit; margin: 0; }
.rc :focus-visible { outline: 3px solid #1d2129; outline-offset: 2px; }
.launcher {
  position: relative; width: 56px; height: 56px; border-radius: 50%; border: 0; cursor: pointer;
  background: var(--accent); color: var(--on-accent); box-shadow: 0 4px 14px rgba(0,0,0,.25);
  display: inline-flex; align-items: center; justify-content: center; padding: 0;
}
.badge {
  position: absolute; top: -4px; right: -4px; min-width: 20px; height: 20px; border-radius: 10px;
  background: #a3231c; color: #fff; font-size: 12px; line-height: 20px; text-align: center; padding: 0 5px;
}
.panel {
  width: min(370px, calc(100vw - 32px)); height: min(560px, calc(100vh - 110px));
  background: #fff; border: 1px solid #dfe2e7; border-radius: 12px; box-shadow: 0 10px 32px rgba(0,0,0,.22);
  display: flex; flex-direction: column; overflow: hidden;
}
.head { background: var(--accent); color: var(--on-accent); padding: 12px 14px; }
.title { display: flex; align-items: center; justify-content: space-between; gap: 8px; }
.title h2 { font-size: 17px; margin: 0; font-weight: 650; }
.close {
  background: transparent; border: 0; color: inherit; font-size: 24px; line-height: 1; cursor: pointer;
  width: 32px; height: 32px; border-radius: 6px;
}
.duty { display: flex; align-items: center; gap: 10px; margin-top: 8px; }
.duty p { margin: 0; }
.who { font-weight: 600; }
.when { font-size: 13px; opacity: .95; }
.faces { list-style: none; display: flex; margin: 0; padding: 0; }
.faces li + li { margin-left: -8px; }
.avatar {
  width: 32px; height: 32px; border-radius: 50%; object-fit: cover; border: 2px solid #fff;
  background: #e8eefc; color: #1d2129; font-size: 12px; font-weight: 700;
  display: inline-flex; align-items: center; justify-content: center; flex: none;
}
.author .avatar { width: 22px; height: 22px; border-width: 1px; font-size: 9px; margin-right: 6px; }
.messages { list-style: none; margin: 0; padding: 12px; flex: 1; overflow-y: auto; background: #f6f7f9; }
.msg { display: flex; flex-direction: column; margin-bottom: 10px; max-width: 85%; }
.msg.mine { margin-left: auto; align-items: flex-end; }
.bubble {
  margin: 0; padding: 8px 11px; border-radius: 12px; white-space: pre-wrap; overflow-wrap: anywhere;
  background: #fff; border: 1px solid #dfe2e7;
}
.mine .bubble { background: var(--accent); color: var(--on-accent); border-color: transparent; }
.author { display: flex; align-items: center; font-size: 12px; color: #566070; margin-bottom: 3px; }
.meta { font-size: 11px; color: #566070; margin-top: 2px; }
.failed { font-size: 12px; color: #a3231c; margin-top: 2px; }
.typing { min-height: 18px; margin: 0; padding: 0 14px; font-size: 12px; color: #566070; background: #f6f7f9; }
.note { margin: 0; padding: 6px 14px; font-size: 13px; color: #566070; border-top: 1px solid #dfe2e7; }
.email { padding: 10px 14px; border-top: 1px solid #dfe2e7; display: grid; gap: 4px; font-size: 13px; }
.email p { margin: 0 0 4px; }
.email input {
  border: 1px solid #8a94a6; border-radius: 6px; padding: 6px 8px; width: 100%; background: #fff;
}
.email button, .send {
  background: var(--accent); color: var(--on-accent); border: 0; border-radius: 6px; padding: 7px 14px;
  cursor: pointer; font-weight: 600; justify-self: start; margin-top: 4px;
}
.composer { display: flex; gap: 8px; padding: 10px; border-top: 1px solid #dfe2e7; align-items: flex-end; }
.composer textarea {
  flex: 1; resize: none; border: 1px solid #8a94a6; border-radius: 8px; padding: 7px 9px;
  min-height: 40px; max-height: 120px; background: #fff;
}
.send[disabled] { opacity: .55; cursor: default; }
.sr-only {
  position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0;
}
`;
