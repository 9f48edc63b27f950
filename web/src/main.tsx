import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { ApiError } from "./api/client";
import { App } from "./app";
import { showToast } from "./lib/toast";
import "./styles.css";

const signedOut = (error: unknown) => error instanceof ApiError && error.status === 401;

const client: QueryClient = new QueryClient({
  defaultOptions: {
    queries: {
      retry: (count, error) =>
        !(error instanceof ApiError && error.status < 500 && error.status > 0) && count < 2,
      refetchOnWindowFocus: true,
      staleTime: 10_000,
    },
  },
  queryCache: new QueryCache({
    onError: (error) => {
      // A session that ended elsewhere: back to the sign-in page.
      if (signedOut(error)) client.setQueryData(["me"], null);
    },
  }),
  mutationCache: new MutationCache({
    onError: (error, _vars, _ctx, mutation) => {
      if (signedOut(error)) client.setQueryData(["me"], null);
      else if (!mutation.meta?.quiet) showToast((error as Error).message, "error");
    },
  }),
});

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <QueryClientProvider client={client}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
