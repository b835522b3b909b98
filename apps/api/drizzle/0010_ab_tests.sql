ALTER TABLE "deliveries" ALTER COLUMN "variant_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "campaign_counters" ADD COLUMN "waiting" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "ab_test" jsonb;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "ab_phase" text;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "ab_decide_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "ab_result" jsonb;--> statement-breakpoint
CREATE INDEX "campaigns_ab_due_idx" ON "campaigns" USING btree ("ab_phase","ab_decide_at");