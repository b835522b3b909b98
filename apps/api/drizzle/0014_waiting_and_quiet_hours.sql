CREATE TABLE "server_settings" (
	"name" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "quiet_hours" text;--> statement-breakpoint
ALTER TABLE "batches" ADD COLUMN "wait_reason" text;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "quiet_hours" text;