CREATE TABLE "event_journal" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"events" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"claimed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "event_journal_created_idx" ON "event_journal" USING btree ("created_at");