ALTER TABLE "reviews" ADD COLUMN "approved_version" jsonb;--> statement-breakpoint
ALTER TABLE "reviews" ADD COLUMN "approved_round" integer;--> statement-breakpoint
ALTER TABLE "reviews" ADD COLUMN "approved_at" timestamp with time zone;