CREATE TABLE "pending_derivations" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"conversation_ids" jsonb NOT NULL,
	"created" jsonb NOT NULL,
	"reopen" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
