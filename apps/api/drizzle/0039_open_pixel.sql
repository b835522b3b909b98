ALTER TABLE "campaigns" ADD COLUMN "open_pixel" boolean;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "open_pixel" boolean DEFAULT false NOT NULL;