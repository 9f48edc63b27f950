/**
 * Which step of talking to a mail server failed — dns, connect, tls or auth — read from the error
 * imapflow or nodemailer throws, and the server's own words. Shared by "test connection" and the poller.
 */
export interface NetError extends Error {
  code?: string;
  authenticationFailed?: boolean;
  responseText?: string;
  response?: string;
  responseCode?: number;
}

const TLS_CODES = /^(ERR_SSL|ERR_TLS|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED|ETLS|HOSTNAME_MISMATCH|ERR_CERT)/;

export function stepOf(e: NetError): string {
  if (e.authenticationFailed || e.code === "EAUTH" || e.responseCode === 535) return "auth";
  if (e.code && TLS_CODES.test(e.code)) return "tls";
  if (/certificate|ssl|tls|handshake|wrong version number/i.test(e.message)) return "tls";
  if (e.code === "ENOTFOUND" || e.code === "EAI_AGAIN" || e.code === "EDNS") return "dns";
  return "connect";
}

export const describeNetError = (e: NetError) =>
  [e.code, e.responseText ?? e.response ?? e.message].filter(Boolean).join(": ");
