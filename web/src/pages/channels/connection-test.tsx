/** "Test connection": tries each service with the saved settings and shows exactly which step failed. */
import { useEffect, useRef } from "react";
import { useTestConnection } from "../../api/channels";

export function ConnectionTest({ channelId, autoFocus }: { channelId: string; autoFocus?: boolean }) {
  const test = useTestConnection(channelId);
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (autoFocus) button.current?.focus();
  }, [autoFocus]);
  const result = test.data;
  return (
    <section className="card" aria-labelledby="connection-test-heading">
      <h2 id="connection-test-heading">Connection</h2>
      <p className="muted">Tries each service with the saved settings, step by step.</p>
      <button
        ref={button}
        type="button"
        className="button primary"
        disabled={test.isPending}
        onClick={() => test.mutate()}
      >
        {test.isPending ? "Testing…" : "Test connection"}
      </button>
      <div aria-live="polite" className="checks-region">
        {result && (
          <>
            <p className={result.ok ? "check-ok" : "check-bad"}>
              <strong>{result.ok ? "Everything works." : "The connection test failed."}</strong>
            </p>
            <ul className="checks" aria-label="Connection test results">
              {result.checks.map((check) => (
                <li key={check.service} className={check.ok ? "check-ok" : "check-bad"}>
                  <span className="check-mark" aria-hidden="true">
                    {check.ok ? "✓" : "✗"}
                  </span>
                  <strong>{check.service.toUpperCase()}</strong>{" "}
                  <span>{check.ok ? "works" : `failed at the ${check.step ?? "unknown"} step`}</span>
                  <span className="check-message">{check.message}</span>
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
    </section>
  );
}
