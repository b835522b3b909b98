DROP INDEX "deliveries_campaign_contact_idx";--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "channel_mode" text DEFAULT 'first' NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "deliveries_campaign_contact_channel_idx" ON "deliveries" USING btree ("campaign_id","contact_id","channel");