ALTER TABLE "campaigns" ADD COLUMN "run_contact_ids" jsonb;--> statement-breakpoint
ALTER TABLE "triage_items" ADD COLUMN "follow_up_template_id" bigint;--> statement-breakpoint
ALTER TABLE "triage_items" ADD COLUMN "follow_up_campaign_id" bigint;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "follow_up_template_id" bigint;--> statement-breakpoint
CREATE INDEX "triage_items_follow_up_idx" ON "triage_items" USING btree ("id") WHERE follow_up_template_id IS NOT NULL AND follow_up_campaign_id IS NULL;