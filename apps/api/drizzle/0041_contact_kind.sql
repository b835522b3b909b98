ALTER TABLE "contacts" ADD COLUMN "kind" text DEFAULT 'person' NOT NULL;--> statement-breakpoint
CREATE INDEX "contacts_groups_idx" ON "contacts" USING btree ("workspace_id") WHERE kind = 'group';