ALTER TABLE "evidence_bundles" ADD COLUMN "legal_hold_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "evidence_bundles" ADD COLUMN "legal_hold_reason" text;--> statement-breakpoint
ALTER TABLE "evidence_bundles" ADD COLUMN "redacted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "retention" jsonb DEFAULT '{}'::jsonb NOT NULL;