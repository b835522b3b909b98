DROP TABLE "contact_tags" CASCADE;--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "province" text;--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "city" text;--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "district" text;--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "device" text;--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "tag_ids" bigint[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "erased_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "max_tags" integer DEFAULT 1000 NOT NULL;