ALTER TABLE "campaigns" ADD COLUMN "resend_of" jsonb;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "resolution" text;