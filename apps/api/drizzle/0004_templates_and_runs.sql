ALTER TABLE "campaigns" ADD COLUMN "schedule" jsonb;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "next_run_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "run_of_id" bigint;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "run_key" text;--> statement-breakpoint
CREATE UNIQUE INDEX "campaigns_run_key_idx" ON "campaigns" USING btree ("run_of_id","run_key");