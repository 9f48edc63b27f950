ALTER TABLE "attachments" ADD COLUMN "source_url" text;--> statement-breakpoint
ALTER TABLE "attachments" ADD COLUMN "fetch_error" text;