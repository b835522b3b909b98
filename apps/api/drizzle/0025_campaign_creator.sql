ALTER TABLE "campaigns" ADD COLUMN "created_by_key_id" bigint;--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_created_by_key_id_api_keys_id_fk" FOREIGN KEY ("created_by_key_id") REFERENCES "public"."api_keys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "campaigns_creator_idx" ON "campaigns" USING btree ("workspace_id","created_by_key_id");--> statement-breakpoint
-- Campaigns made before this column: their creator as the audit log recorded it.
UPDATE "campaigns" c SET "created_by_key_id" = k."id"
FROM "audit_log" a JOIN "api_keys" k ON k."id"::text = a."actor_id"
WHERE a."subject_type" = 'campaign' AND a."subject_id" = c."id"::text AND a."actor_kind" = 'api_key'
  AND a."action" IN ('campaign.created', 'campaign.resend_created') AND k."workspace_id" = c."workspace_id";--> statement-breakpoint
UPDATE "campaigns" r SET "created_by_key_id" = t."created_by_key_id"
FROM "campaigns" t WHERE r."run_of_id" = t."id" AND r."created_by_key_id" IS NULL;
