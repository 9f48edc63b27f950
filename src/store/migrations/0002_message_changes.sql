CREATE TABLE "message_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"channel_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"kind" text NOT NULL,
	"text" text,
	"html" text,
	"changed_at" timestamp with time zone NOT NULL,
	"raw_event_id" bigint,
	"applied_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "edited_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "original_text" text;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "deleted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "raw_events" ADD COLUMN "note" text;--> statement-breakpoint
ALTER TABLE "message_changes" ADD CONSTRAINT "message_changes_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "message_changes" ADD CONSTRAINT "message_changes_raw_event_id_raw_events_id_fk" FOREIGN KEY ("raw_event_id") REFERENCES "public"."raw_events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "message_changes_uq" ON "message_changes" USING btree ("channel_id","external_id","kind","changed_at");--> statement-breakpoint
CREATE INDEX "message_changes_pending_idx" ON "message_changes" USING btree ("channel_id","external_id") WHERE applied_at IS NULL;