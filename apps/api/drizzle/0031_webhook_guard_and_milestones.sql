CREATE TABLE "campaign_milestones" (
	"campaign_id" bigint NOT NULL,
	"workspace_id" bigint NOT NULL,
	"milestone" integer NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "campaign_milestones_campaign_id_milestone_pk" PRIMARY KEY("campaign_id","milestone")
);
--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD COLUMN "queued_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "webhook_endpoints" ADD COLUMN "consecutive_failures" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "webhook_endpoints" ADD COLUMN "disabled_reason" text;--> statement-breakpoint
ALTER TABLE "webhook_endpoints" ADD COLUMN "disabled_at" timestamp with time zone;