CREATE TABLE "campaign_archives" (
	"campaign_id" bigint PRIMARY KEY NOT NULL,
	"workspace_id" bigint NOT NULL,
	"state" text NOT NULL,
	"path" text NOT NULL,
	"deliveries" integer NOT NULL,
	"attempts" integer NOT NULL,
	"events" integer NOT NULL,
	"sha256" text NOT NULL,
	"summary" jsonb NOT NULL,
	"archived_at" timestamp with time zone DEFAULT now() NOT NULL,
	"restored_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "campaign_archives_workspace_idx" ON "campaign_archives" USING btree ("workspace_id","state");