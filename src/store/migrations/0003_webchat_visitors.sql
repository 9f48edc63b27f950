CREATE TABLE "webchat_visitors" (
	"channel_id" uuid NOT NULL,
	"visitor_id" text NOT NULL,
	"email" text,
	"name" text,
	"page_url" text,
	"connected_until" timestamp with time zone,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "webchat_visitors_channel_id_visitor_id_pk" PRIMARY KEY("channel_id","visitor_id")
);
--> statement-breakpoint
ALTER TABLE "webchat_visitors" ADD CONSTRAINT "webchat_visitors_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "webchat_visitors_seen_idx" ON "webchat_visitors" USING btree ("last_seen_at");