/**
 * Rapport's chat widget. A page adds it with
 *   <script src="https://rapport.example/widget.js" data-channel="webchat-site" async></script>
 * and gets a chat launcher at the bottom right, rendered inside a shadow root (no iframe) so the page's
 * CSS cannot break it. See docs/channels/webchat.md.
 */
import { render } from "preact";
import { App } from "./app.tsx";
import { CSS } from "./styles.ts";

declare global {
  interface Window {
    __rapportChat?: boolean;
  }
}

function start(script: HTMLScriptElement): void {
  const channel = script.dataset.channel;
  if (!channel) {
    console.error('Rapport chat: the <script> tag needs data-channel="<channel key>".');
    return;
  }
  if (window.__rapportChat) return;
  window.__rapportChat = true;
  const base = new URL(script.src, location.href).origin;
  const host = document.createElement("rapport-chat");
  // Inline !important: the page's own rules cannot move or hide the launcher.
  host.setAttribute(
    "style",
    "all: initial !important; position: fixed !important; right: 16px !important; bottom: 16px !important; z-index: 2147483000 !important; display: block !important;",
  );
  const shadow = host.attachShadow({ mode: "open" });
  const style = document.createElement("style");
  style.textContent = CSS;
  shadow.appendChild(style);
  const mount = document.createElement("div");
  shadow.appendChild(mount);
  document.body.appendChild(host);
  render(<App base={base} channel={channel} />, mount);
}

const current = document.currentScript as HTMLScriptElement | null;
const script = current ?? document.querySelector<HTMLScriptElement>('script[src*="widget.js"][data-channel]');
if (script) {
  if (document.body) start(script);
  else document.addEventListener("DOMContentLoaded", () => start(script));
}
