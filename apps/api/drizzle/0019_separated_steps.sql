ALTER TABLE "approval_policies" ADD COLUMN "separated_steps" jsonb;--> statement-breakpoint
ALTER TABLE "reviews" ADD COLUMN "separated_steps" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
-- Rounds opened before steps could be marked kept the author from approving any step.
UPDATE "reviews" SET "separated_steps" = "steps";
