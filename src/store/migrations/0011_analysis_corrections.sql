CREATE TABLE "analysis_corrections" (
	"message_id" uuid NOT NULL,
	"field" text NOT NULL,
	"machine" jsonb NOT NULL,
	"human" jsonb NOT NULL,
	"analyzer_version" text,
	"text" text NOT NULL,
	"agent_id" uuid,
	"corrected_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "analysis_corrections_message_id_field_pk" PRIMARY KEY("message_id","field")
);
--> statement-breakpoint
ALTER TABLE "analysis_corrections" ADD CONSTRAINT "analysis_corrections_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "analysis_corrections" ADD CONSTRAINT "analysis_corrections_agent_id_agents_id_fk" FOREIGN KEY ("agent_id") REFERENCES "public"."agents"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "analysis_corrections_time_idx" ON "analysis_corrections" USING btree ("corrected_at");